/** `POST /keys/team/grants`: the body is the grant itself (docs/protocol.md §5.6). */
import { TeamKeyGrantDto } from './key-material.dto';

export class CreateGrantRequest extends TeamKeyGrantDto {}
