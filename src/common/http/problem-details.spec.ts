import { BadRequestException, ForbiddenException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { NotFoundProblem, ProblemException, ValidationFailedException } from './problem';
import { renderProblem } from './problem-details';

describe('renderProblem', () => {
  it('renders a domain problem with its extensions and field errors', () => {
    const { body, unexpected } = renderProblem(new ProblemException('conflict', 'stale version', { currentVersion: 4 }), 'r1');
    expect(unexpected).toBe(false);
    expect(body).toEqual({
      type: 'urn:egide:problem:conflict',
      title: 'Conflict with the current state',
      status: 409,
      detail: 'stale version',
      requestId: 'r1',
      currentVersion: 4,
    });
    const validation = renderProblem(new ValidationFailedException([{ field: 'a.b', messages: ['bad'] }]), 'r2').body;
    expect(validation.errors).toEqual([{ field: 'a.b', messages: ['bad'] }]);
    expect(validation.detail).toBe('Invalid field(s): a.b');
  });

  it('keeps extensions from overriding the standard members', () => {
    const { body } = renderProblem(new ProblemException('conflict', 'x', { status: 200, type: 'evil' }), 'r');
    expect(body.status).toBe(409);
    expect(body.type).toBe('urn:egide:problem:conflict');
  });

  it("maps Nest exceptions by status, with a fixed detail: never their message, which quotes the URL or a class", () => {
    expect(renderProblem(new NotFoundException('Cannot GET /secret-path'), 'r').body).toEqual(
      expect.objectContaining({ status: 404, detail: 'No such route or resource' }),
    );
    expect(renderProblem(new BadRequestException(['a', 'b']), 'r').body.detail).toBe('The request could not be read');
    expect(renderProblem(new HttpException('ThrottlerException: Too Many Requests', 429), 'r').body).toEqual(
      expect.objectContaining({ type: 'urn:egide:problem:too-many-requests', detail: 'Too many requests; wait for the time in Retry-After' }),
    );
    expect(renderProblem(new ServiceUnavailableException(), 'r').body.status).toBe(503);
    expect(renderProblem(new NotFoundProblem('case'), 'r').body.detail).toBe('No such case');
  });

  it('keeps a bare 403 `forbidden`; team-grant-required only when a problem says so, with its extensions', () => {
    expect(renderProblem(new ForbiddenException(), 'r').body.type).toBe('urn:egide:problem:forbidden');
    const refused = renderProblem(new ProblemException('team-grant-required', 'ask a member', { scopeId: 's', generation: null }), 'r').body;
    expect(refused).toEqual({
      type: 'urn:egide:problem:team-grant-required',
      title: 'No grant of your team key yet',
      status: 403,
      detail: 'ask a member',
      requestId: 'r',
      scopeId: 's',
      generation: null,
    });
  });

  it('quotes property names with their invisible characters escaped (bidi overrides, controls, zero-width)', () => {
    const field = 'grant.x\u202eevil\u200b\u0007';
    const { body } = renderProblem(new ValidationFailedException([{ field, messages: [`property ${field} should not exist`] }]), 'r');
    expect(body.errors).toEqual([
      { field: 'grant.x\\u{202E}evil\\u{200B}\\u{7}', messages: ['property grant.x\\u{202E}evil\\u{200B}\\u{7} should not exist'] },
    ]);
    expect(body.detail).toBe('Invalid field(s): grant.x\\u{202E}evil\\u{200B}\\u{7}');
    // Letters of any script and emoji are text, not tricks: they stay as they are.
    expect(renderProblem(new ValidationFailedException([{ field: 'имя😀', messages: [] }]), 'r').body.errors?.[0].field).toBe('имя😀');
  });

  it('hides everything about an unexpected error', () => {
    const error = Object.assign(new Error('duplicate key value violates "users_email"'), { query: 'INSERT …', parameters: ['x'] });
    const { body, unexpected } = renderProblem(error, 'r');
    expect(unexpected).toBe(true);
    expect(body.status).toBe(500);
    expect(JSON.stringify(body)).not.toMatch(/duplicate|INSERT|users_email/);
  });
});
