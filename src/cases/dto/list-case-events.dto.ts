/** GET /cases/:id/events: a page of the timeline, oldest first (keyset cursor). */
import { PageQuery } from '../../common/http/page-query.dto';

export class ListCaseEventsQuery extends PageQuery {}
