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
import { ApiRequestHeadTooLarge, ErrorResponseDto } from '@rs/service-kit';
import {
  type StacFeatureCollection,
  StacFeatureCollectionResponseDto,
  type StacItem,
  StacItemResponseDto,
} from '@rs/stac';
import { CADIP_CONFIG, type CadipConfig } from '../config/cadip.config';
import { CADIP_STATIONS, type CadipStation } from './cadip.constants';
import { CadipService } from './cadip.service';
import { CaduSearchQueryDto } from './dto/cadu-search-query.dto';
import { SessionQueryDto } from './dto/session-query.dto';
import { knownStation, stationRole } from './station.roles';

class StationPipe implements PipeTransform<string, CadipStation> {
  transform(value: string): CadipStation {
    return knownStation(value);
  }
}

const STATION_PARAM = { name: 'station', enum: CADIP_STATIONS, description: 'Ground station (case-insensitive)' };
const ID_PARAM = { name: 'id', description: 'CADU chunk id (the STAC Item id)' };

@ApiTags('Cadip')
@ApiRequestHeadTooLarge()
@ApiAuth()
@ApiParam(STATION_PARAM)
@ApiNotFoundResponse({ description: 'Unknown station or file', type: ErrorResponseDto })
@Controller('cadip')
export class CadipController {
  constructor(
    private readonly cadip: CadipService,
    @Inject(CADIP_CONFIG) private readonly config: CadipConfig,
  ) {}

  @Get(':station/session')
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; `parameter` names it', type: ErrorResponseDto })
  @RequireRoles(stationRole('read'))
  @ApiOperation({
    summary: 'Search sessions',
    description:
      "A station's downlink sessions with their CADU files as assets. Give at least one of `id`, `platform`, or both `start_date` and `stop_date`. Role `rs_cadip_<station>_read`.",
  })
  @ApiOkResponse({ description: 'STAC FeatureCollection of sessions', type: StacFeatureCollectionResponseDto })
  sessions(
    @Param('station', StationPipe) station: CadipStation,
    @Query() query: SessionQueryDto,
  ): StacFeatureCollection {
    return this.cadip.searchSessions(station, query, this.config.PUBLIC_URL);
  }

  @Get(':station/cadu/search')
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; `parameter` names it', type: ErrorResponseDto })
  @RequireRoles(stationRole('read'))
  @ApiOperation({
    summary: 'Search CADU files',
    description: 'CADU chunks by publication time and session. Role `rs_cadip_<station>_read`.',
  })
  @ApiOkResponse({ description: 'STAC FeatureCollection of CADU chunks', type: StacFeatureCollectionResponseDto })
  searchCadus(
    @Param('station', StationPipe) station: CadipStation,
    @Query() query: CaduSearchQueryDto,
  ): StacFeatureCollection {
    return this.cadip.searchCadus(station, query, this.config.PUBLIC_URL);
  }

  @Get(':station/cadu/:id')
  @RequireRoles(stationRole('read'))
  @ApiOperation({ summary: 'Get one CADU file', description: 'Role `rs_cadip_<station>_read`.' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'STAC Item of the chunk', type: StacItemResponseDto })
  cadu(@Param('station', StationPipe) station: CadipStation, @Param('id') id: string): StacItem {
    return this.cadip.cadu(station, id, this.config.PUBLIC_URL);
  }

  @Get(':station/cadu/:id/download')
  @RequireRoles(stationRole('download'))
  @ApiOperation({
    summary: 'Download one CADU file',
    description: 'Sample content. Role `rs_cadip_<station>_download`.',
  })
  @ApiParam(ID_PARAM)
  // The content type on the 200 answer only: refusals (401, 403, 404...) stay JSON.
  @ApiOkResponse({
    description: 'The chunk content, as an attachment',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  download(@Param('station', StationPipe) station: CadipStation, @Param('id') id: string): StreamableFile {
    const file = this.cadip.download(station, id);
    // The type goes with the file, not on the route: a refusal thrown by the handler must stay JSON.
    return new StreamableFile(file.content, {
      type: 'application/octet-stream',
      disposition: `attachment; filename="${file.fileName}"`,
      length: file.content.length,
    });
  }
}
