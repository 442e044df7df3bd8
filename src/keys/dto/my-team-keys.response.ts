/** `GET /keys/team/grants/mine`: the caller's grants and the scope's history links. */
import { MAX_TEAM_GENERATION } from '../../crypto/protocol-constants';
import { ApiProperty } from '@nestjs/swagger';
import { UUID_FIELD } from '../../common/openapi/api-fields';
import { HeldGrantResponse } from './grant.response';
import { HistoryLinkDto } from './key-material.dto';
import { GENERATION_FIELD } from './key-limits';

export class MyTeamKeysResponse {
  @ApiProperty(UUID_FIELD)
  scopeId!: string;

  @ApiProperty(GENERATION_FIELD)
  currentGeneration!: number;

  @ApiProperty({ type: [HeldGrantResponse], maxItems: MAX_TEAM_GENERATION, description: "The caller's grants, newest generation first (one per generation at most)" })
  grants!: HeldGrantResponse[];

  @ApiProperty({ type: [HistoryLinkDto], maxItems: MAX_TEAM_GENERATION - 1, description: 'Every history link of the scope (generation g → g − 1)' })
  historyLinks!: HistoryLinkDto[];
}
