/** Sample collections seeded into an empty catalog, owned by the demo users alice and bob. */
export interface SampleCollection {
  owner: string;
  name: string;
  stac: Record<string, unknown>;
  items: Record<string, unknown>[];
}

function footprint(lon: number, lat: number, size: number): Record<string, unknown> {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
      ],
    ],
  };
}

function items(
  prefix: string,
  platform: string,
  extra: Record<string, unknown>,
  places: [number, number][],
  size: number,
): Record<string, unknown>[] {
  return places.map(([lon, lat], index) => {
    const datetime = new Date(Date.UTC(2024, 0, 2 + index * 3, 10, 10, 29)).toISOString();
    const stamp = datetime.replace(/[-:]/g, '').slice(0, 15);
    return {
      type: 'Feature',
      stac_version: '1.1.0',
      stac_extensions: [],
      id: `${prefix}_${stamp}_${String(index + 1).padStart(3, '0')}`,
      geometry: footprint(lon, lat, size),
      properties: { datetime, platform, ...extra },
      links: [],
      assets: {
        thumbnail: {
          href: `https://example.invalid/${prefix}/${stamp}/thumbnail.png`,
          type: 'image/png',
          roles: ['thumbnail'],
        },
      },
    };
  });
}

export const SAMPLE_COLLECTIONS: SampleCollection[] = [
  {
    owner: 'alice',
    name: 's1-l1',
    stac: {
      type: 'Collection',
      stac_version: '1.1.0',
      id: 's1-l1',
      title: 'Sentinel-1 Level-1 GRD (sample)',
      description: 'Sample Sentinel-1 ground range detected products over Europe.',
      license: 'other',
      keywords: ['sentinel-1', 'sar', 'sample'],
      extent: { spatial: { bbox: [[-10, 35, 30, 60]] }, temporal: { interval: [['2024-01-01T00:00:00Z', null]] } },
    },
    items: items(
      'S1A_IW_GRDH_1SDV',
      'sentinel-1a',
      { 'sar:instrument_mode': 'IW', 'sar:polarizations': ['VV', 'VH'] },
      [
        [2, 44],
        [12, 41],
        [20, 50],
        [-5, 40],
        [8, 52],
      ],
      2.5,
    ),
  },
  {
    owner: 'bob',
    name: 's2-l2',
    stac: {
      type: 'Collection',
      stac_version: '1.1.0',
      id: 's2-l2',
      title: 'Sentinel-2 Level-2A (sample)',
      description: 'Sample Sentinel-2 bottom-of-atmosphere reflectance tiles.',
      license: 'other',
      keywords: ['sentinel-2', 'optical', 'sample'],
      extent: { spatial: { bbox: [[-5, 40, 25, 55]] }, temporal: { interval: [['2024-01-01T00:00:00Z', null]] } },
    },
    items: items(
      'S2B_MSIL2A',
      'sentinel-2b',
      { 'eo:cloud_cover': 12.5 },
      [
        [5, 45],
        [14, 46],
        [-2, 48],
        [21, 52],
        [9, 41],
      ],
      1,
    ),
  },
];
