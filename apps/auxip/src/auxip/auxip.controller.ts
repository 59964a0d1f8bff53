import { Controller, Get, Inject, Param, type PipeTransform, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuth, RequireRoles } from '@rs/auth-guard';
import { AUXIP_LANDING_PAGE_ROLE, auxipRole } from '@rs/rs-roles';
import { ApiRequestHeadTooLarge, ErrorResponseDto } from '@rs/service-kit';
import {
  type StacFeatureCollection,
  StacFeatureCollectionResponseDto,
  type StacItem,
  StacItemResponseDto,
  StacLandingPageResponseDto,
} from '@rs/stac';
import { AUXIP_CONFIG, type AuxipConfig } from '../config/auxip.config';
import { AUXIP_STATIONS, type AuxipStation, DEFAULT_AUXIP_STATION } from './auxip.constants';
import { type AuxipLandingPage, AuxipService } from './auxip.service';
import { AuxSearchQueryDto } from './dto/aux-search-query.dto';
import { knownStation, stationRole } from './station.roles';

class StationPipe implements PipeTransform<string, AuxipStation> {
  transform(value: string): AuxipStation {
    return knownStation(value);
  }
}

const STATION_PARAM = {
  name: 'station',
  enum: AUXIP_STATIONS,
  description: 'Auxiliary data station (case-insensitive)',
};
const NAME_PARAM = { name: 'name', description: 'File name (the STAC Item id)' };

@ApiTags('Auxip')
@ApiRequestHeadTooLarge()
@ApiAuth()
@Controller('auxip')
export class AuxipController {
  constructor(
    private readonly auxip: AuxipService,
    @Inject(AUXIP_CONFIG) private readonly config: AuxipConfig,
  ) {}

  @Get()
  @RequireRoles(AUXIP_LANDING_PAGE_ROLE)
  @ApiOperation({
    summary: 'Landing page',
    description: `STAC catalog of the service. Role \`${AUXIP_LANDING_PAGE_ROLE}\`.`,
  })
  @ApiOkResponse({ description: 'STAC Catalog', type: StacLandingPageResponseDto })
  landingPage(): AuxipLandingPage {
    return this.auxip.landingPage(this.config.PUBLIC_URL);
  }

  @Get('search')
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; `parameter` names it', type: ErrorResponseDto })
  @RequireRoles(auxipRole(DEFAULT_AUXIP_STATION, 'read'))
  @ApiOperation({
    summary: 'Search auxiliary files',
    description: `Files of the default station (${DEFAULT_AUXIP_STATION}) by validity time, product type and platform. Role \`${auxipRole(DEFAULT_AUXIP_STATION, 'read')}\`.`,
  })
  @ApiOkResponse({ description: 'STAC FeatureCollection of auxiliary files', type: StacFeatureCollectionResponseDto })
  search(@Query() query: AuxSearchQueryDto): StacFeatureCollection {
    return this.auxip.search(DEFAULT_AUXIP_STATION, query, this.config.PUBLIC_URL, '/auxip/search');
  }

  @Get(':station/search')
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; `parameter` names it', type: ErrorResponseDto })
  @RequireRoles(stationRole('read'))
  @ApiParam(STATION_PARAM)
  @ApiNotFoundResponse({ description: 'Unknown station', type: ErrorResponseDto })
  @ApiOperation({ summary: 'Search auxiliary files of a station', description: 'Role `rs_auxip_<station>_read`.' })
  @ApiOkResponse({ description: 'STAC FeatureCollection of auxiliary files', type: StacFeatureCollectionResponseDto })
  searchStation(
    @Param('station', StationPipe) station: AuxipStation,
    @Query() query: AuxSearchQueryDto,
  ): StacFeatureCollection {
    return this.auxip.search(station, query, this.config.PUBLIC_URL, `/auxip/${station}/search`);
  }

  @Get(':station/files/:name')
  @RequireRoles(stationRole('read'))
  @ApiParam(STATION_PARAM)
  @ApiParam(NAME_PARAM)
  @ApiNotFoundResponse({ description: 'Unknown station or file', type: ErrorResponseDto })
  @ApiOperation({ summary: 'Get one auxiliary file', description: 'Role `rs_auxip_<station>_read`.' })
  @ApiOkResponse({ description: 'STAC Item of the file', type: StacItemResponseDto })
  file(@Param('station', StationPipe) station: AuxipStation, @Param('name') name: string): StacItem {
    return this.auxip.file(station, name, this.config.PUBLIC_URL);
  }

  @Get(':station/files/:name/download')
  @RequireRoles(stationRole('download'))
  @ApiParam(STATION_PARAM)
  @ApiParam(NAME_PARAM)
  @ApiNotFoundResponse({ description: 'Unknown station or file', type: ErrorResponseDto })
  @ApiOperation({
    summary: 'Download one auxiliary file',
    description: 'Sample content. Role `rs_auxip_<station>_download`.',
  })
  // The content type on the 200 answer only: refusals (401, 403, 404...) stay JSON.
  @ApiOkResponse({
    description: 'The file content, as an attachment',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  download(@Param('station', StationPipe) station: AuxipStation, @Param('name') name: string): StreamableFile {
    const file = this.auxip.download(station, name);
    // The type goes with the file, not on the route: a refusal thrown by the handler must stay JSON.
    return new StreamableFile(file.content, {
      type: 'application/octet-stream',
      disposition: `attachment; filename="${file.fileName}"`,
      length: file.content.length,
    });
  }
}
