/** `POST /api/v1/setup`: the first administrator, enrolled like everyone, with the setup token. */
import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { EnrolmentResponse } from './dto/enrolment.response';
import { SetupRequest } from './dto/set-up-administrator.dto';
import { Public } from '../common/authz/authorize.decorator';
import { ApiProblems } from '../common/http/api-problems';
import { RequestId } from '../common/http/request-id';
import { CredentialRoute } from '../common/http/rate-limits';

@ApiTags('setup')
@Controller('setup')
export class SetupController {
  constructor(private readonly auth: AuthService) {}

  @Post()
  @CredentialRoute()
  @Public()
  @ApiOperation({ summary: 'Create the first administrator with the one-time setup token' })
  @ApiCreatedResponse({ type: EnrolmentResponse })
  @ApiProblems(400, 403, 429)
  setup(@Body() body: SetupRequest, @RequestId() requestId: string): Promise<EnrolmentResponse> {
    return this.auth.setup(body, requestId);
  }
}
