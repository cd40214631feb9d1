import { reportIdOfUrl } from './request-log.js';

describe('reportIdOfUrl', () => {
  const id = '3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f';

  it.each([
    [`/api/reports/${id}`, id],
    [`/api/reports/${id}/csv`, id],
    [`/api/reports/${id.toUpperCase()}?x=1`, id],
    [`/api/get_report?report_id=${id}`, id],
    [`/api/get_report?x=1&report_id=${id}&y=2`, id],
    [`/api/get_report?report_id=+${id.toUpperCase()}%20`, id],
    [`/api/reports/%20${id}%20/csv`, id],
  ])('finds the report in %s', (url, expected) => {
    expect(reportIdOfUrl(url)).toBe(expected);
  });

  it.each([[undefined], ['/api/reports'], [`/api/reports/${id}0`], [`/api/get_report?report_id=${id}%0Aforged`], ['/api/get_report?report_id=../x'], [`/other/${id}`]])(
    'finds none in %s',
    (url) => {
      expect(reportIdOfUrl(url)).toBeUndefined();
    },
  );
});
