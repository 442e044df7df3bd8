/** What the API says about an organisation, built by `toOrganisationResponse` from a repository record. */
import { ApiProperty } from '@nestjs/swagger';
import type { OrganisationRecord } from '../organisations.repository';

export class OrganisationResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2' })
  country!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class OrganisationPage {
  @ApiProperty({ type: [OrganisationResponse] })
  items!: OrganisationResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' })
  nextCursor!: string | null;
}

export function toOrganisationResponse(organisation: OrganisationRecord): OrganisationResponse {
  return {
    id: organisation.id,
    name: organisation.name,
    country: organisation.country,
    createdAt: organisation.createdAt.toISOString(),
    updatedAt: organisation.updatedAt.toISOString(),
  };
}
