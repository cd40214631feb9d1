import { invalidReportParam, ownerIdInUrl, reportIdInUrl, urlForOwner, urlForReport } from './report-url.js';

const id = '3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f';

describe('report addresses', () => {
  it('reads the report of an address, in canonical form', () => {
    expect(reportIdInUrl(`http://h/?report=${id}`)).toBe(id);
    expect(reportIdInUrl(`http://h/?x=1&report=%20${id.toUpperCase()}%20`)).toBe(id);
    expect(reportIdInUrl('http://h/')).toBeNull();
    expect(reportIdInUrl('http://h/?report=../../etc')).toBeNull();
  });

  it('writes the address of a report, and of no report, keeping the rest', () => {
    expect(urlForReport('http://h/?x=1#top', id)).toBe(`/?x=1&report=${id}#top`);
    expect(urlForReport(`http://h/?report=${id}`, null)).toBe('/');
  });
});

describe('what else the address says', () => {
  it('tells a report id that is not one, to say so', () => {
    expect(invalidReportParam('http://h/?report=garbage')).toBe('garbage');
    expect(invalidReportParam(`http://h/?report=${id}`)).toBeNull();
    expect(invalidReportParam('http://h/')).toBeNull();
  });

  it("records the owner whose view is open, beside the report", () => {
    const owner = '7d4b2f0e-1c2a-4e5f-8a9b-0c1d2e3f4a5b';
    expect(urlForOwner(`http://h/?report=${id}`, owner)).toBe(`/?report=${id}&owner=${owner}`);
    expect(ownerIdInUrl(`http://h/?owner=${owner.toUpperCase()}`)).toBe(owner);
    expect(urlForOwner(`http://h/?owner=${owner}`, null)).toBe('/');
  });
});
