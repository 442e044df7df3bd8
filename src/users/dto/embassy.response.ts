/** What the API says about an embassy, built by `toEmbassyResponse` from a repository record. */
import { ApiProperty } from '@nestjs/swagger';
import type { EmbassyRecord } from '../embassies.repository';

export class EmbassyResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2' })
  country!: string;

  @ApiProperty()
  city!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class EmbassyPage {
  @ApiProperty({ type: [EmbassyResponse] })
  items!: EmbassyResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' })
  nextCursor!: string | null;
}

export function toEmbassyResponse(embassy: EmbassyRecord): EmbassyResponse {
  return {
    id: embassy.id,
    name: embassy.name,
    country: embassy.country,
    city: embassy.city,
    createdAt: embassy.createdAt.toISOString(),
    updatedAt: embassy.updatedAt.toISOString(),
  };
}
