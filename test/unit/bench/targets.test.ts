import { expect } from 'chai';
import { adaptGrowth, firstNumber, fromExchangeLogRows } from '../../../bench/lib/log-part.js';
import { b4Floor, evaluateTargets, formatTable, formatTargets, p99Drift, pooledP99Drift, ratio, verdict } from '../../../bench/lib/targets.js';

describe('bench: targets as ratios against the same run', () => {
  it('computes ratios, and NaN when a side is missing or zero', () => {
    expect(ratio(600, 100)).to.equal(6);
    expect(ratio(1, 0)).to.be.NaN;
    expect(ratio(undefined, 3)).to.be.NaN;
  });

  it('judges bounds inclusively; NaN is not run', () => {
    expect(verdict(6, '>=', 6)).to.equal('PASS');
    expect(verdict(5.99, '>=', 6)).to.equal('MISS');
    expect(verdict(1.0, '<=', 1.0)).to.equal('PASS');
    expect(verdict(NaN, '<=', 1)).to.equal('n/a');
  });

  it('takes p99 drift on the medians of the first and last windows, so one spike does not decide', () => {
    const d = p99Drift([10, 11, 10, 50, 12, 11, 12]);
    expect(d.first).to.equal(10);
    expect(d.last).to.equal(12);
    expect(d.drift).to.be.closeTo(0.2, 1e-9);
    expect(p99Drift([10, 13]).drift).to.be.closeTo(0.3, 1e-9);
  });

  it('takes p99 drift on the pooled requests of the first and last thirds of the windows', () => {
    const steady = (n: number, slow: number): number[] => [...Array.from({ length: n - slow }, () => 10), ...Array.from({ length: slow }, () => 40)];
    // Six windows of 100 requests; the first third pools windows 1–2, the last third windows 5–6.
    // One slow window holds 3 % of its side's requests: above its side's p99 (1 %), so it decides.
    const d = pooledP99Drift([steady(100, 0), steady(100, 0), steady(100, 0), steady(100, 0), steady(100, 0), steady(100, 6)]);
    expect(d.windowsPerSide).to.equal(2);
    expect(d.first).to.equal(10);
    expect(d.last).to.equal(40);
    expect(d.drift).to.be.closeTo(3, 1e-9);
    // A spike within one window (1 request in 200 of the side) stays below the pooled p99.
    const spike = pooledP99Drift([steady(100, 0), steady(100, 0), steady(100, 0), steady(100, 0), steady(100, 0), steady(100, 1)]);
    expect(spike.drift).to.equal(0);
    // The middle third does not count; fewer than three windows still compare first with last.
    expect(pooledP99Drift([steady(100, 0), steady(100, 50), steady(100, 0)]).drift).to.equal(0);
    expect(pooledP99Drift([[10, 10], [13, 13]]).drift).to.be.closeTo(0.3, 1e-9);
    expect(pooledP99Drift([]).drift).to.be.NaN;
  });

  it('evaluates every target of issue 8 from the measured values', () => {
    const lines = evaluateTargets({
      aRps8: 900,
      b1Rps8: 140,
      b2Rps8: 2000,
      aCpuUs8: 950,
      b4FloorUs: 300,
      aP99ms8: 30,
      aErrors8: 0,
      signaturesChecked: 50,
      signaturesInvalid: 1,
      dRps10k: 900,
      dRps1M: 780,
      logSearchIdP50ms: 0.5,
      logSearchHourP50ms: 12,
      logVerifyPerSec: 250_000,
      eRssAfter30s: 100,
      eRssEnd: 110,
      eP99First: 10,
      eP99Last: 11,
      eP99WindowMedianDrift: 0.25,
    });
    const v = Object.fromEntries(lines.map((l) => [l.id, l.verdict]));
    expect(v).to.deep.equal({
      'A/B1': 'PASS', // 6.43×
      'A/B2': 'MISS', // 0.45×
      'A cpu': 'PASS',
      'A p99': 'MISS',
      'A errors': 'MISS', // one invalid signature
      'D growth': 'PASS', // 0.867
      'D search id': 'PASS',
      'D search hour': 'MISS',
      'D verify': 'PASS',
      'E rss': 'PASS',
      'E p99': 'PASS',
    });
    expect(lines.find((l) => l.id === 'A/B1')?.measured).to.match(/^6\.43×/);
    expect(lines.find((l) => l.id === 'A cpu')?.measured).to.equal('3.17× the B4 floor (A 0.950 ms; B4 0.300 ms)');
    expect(lines.find((l) => l.id === 'E p99')?.measured).to.equal('10.0 % (p99 of the first third 10.0 → of the last third 11.0 ms; medians of window p99s: 25.0 %)');
    expect(lines.find((l) => l.id === 'A cpu')?.measured).not.to.include('B3 + B4');
    const withB3 = evaluateTargets({ aCpuUs8: 1800, b4FloorUs: 350, b3CpuUs8: 730 }).find((l) => l.id === 'A cpu');
    expect(withB3?.verdict).to.equal('MISS');
    expect(withB3?.measured).to.include('B3 + B4 = 1.080 ms');
    expect(withB3?.measured).to.equal('5.14× the B4 floor (A 1.800 ms; B4 0.350 ms); B3 + B4 = 1.080 ms');
    expect(withB3?.target).to.include('≤ 3.33× B4');
  });

  it("judges A's CPU as a multiple of the floor measured around it, not as an absolute time", () => {
    const cpu = (m: Parameters<typeof evaluateTargets>[0]) => evaluateTargets(m).find((l) => l.id === 'A cpu');
    // A slow hour: 1.1 ms is over 1.0 ms, but 3.14× a floor of 0.35 ms is within the 3.33×.
    expect(cpu({ aCpuUs8: 1100, b4FloorUs: 350 })?.verdict).to.equal('PASS');
    // A fast hour: 0.9 ms is under 1.0 ms, but 3.6× a floor of 0.25 ms is not.
    expect(cpu({ aCpuUs8: 900, b4FloorUs: 250 })?.verdict).to.equal('MISS');
    // Measured twice, the floor is their mean: 1200 / 350 = 3.43×.
    const twice = cpu({ aCpuUs8: 1200, b4FloorUs: 300, b4FloorAfterUs: 400 });
    expect(twice?.verdict).to.equal('MISS');
    expect(twice?.measured).to.equal('3.43× the B4 floor (A 1.200 ms; B4 0.350 ms, the mean of 0.300 before A and 0.400 after A at c=8)');
    expect(b4Floor({ b4FloorAfterUs: 320 })).to.equal(320);
    expect(b4Floor({})).to.be.NaN;
  });

  it('marks the targets of scenarios that did not run as n/a', () => {
    const lines = evaluateTargets({ aRps8: 500 });
    expect(lines.every((l) => l.verdict === 'n/a')).to.equal(true);
    expect(formatTargets(lines)).to.include('not run');
  });

  it('prints one aligned table line per row, dashes for what was not measured', () => {
    const out = formatTable([{ scenario: 'A', concurrency: 8, rps: 812.4, p50ms: 8.123, p99ms: 20.5, errors: 0, cpuUsPerReq: 950, rss: 200 * 1048576 }, { scenario: 'B4', concurrency: 1, rps: 3000, p50ms: 0.3, p99ms: NaN, errors: 0, cpuUsPerReq: 300, rss: NaN }]).split('\n');
    expect(out).to.have.length(4);
    expect(out[2]).to.match(/^A\s+8\s+812\s+8\.12\s+20\.50\s+0\s+950\s+200$/);
    expect(out[3]).to.match(/0\.30\s+-\s+0\s+300\s+-$/);
  });
});

describe('bench: reading the exchange-log benchmark', () => {
  it('takes the number after a percentile label, or the first number', () => {
    expect(firstNumber('p50 0.10 ms')).to.equal(0.1);
    expect(firstNumber('204212 records/s')).to.equal(204212);
    expect(firstNumber('none')).to.be.NaN;
  });

  it('finds search and verify among its rows', () => {
    const part = fromExchangeLogRows({
      records: 1000,
      rows: [
        { measure: 'search by messageId', value: 'p50 0.12 ms' },
        { measure: 'search one-hour window (first page of 50)', value: 'p50 0.40 ms' },
        { measure: 'search one-hour window + serviceCode + status', value: 'p50 9.00 ms' },
        { measure: 'verify, metadata only', value: '300000 records/s' },
      ],
    });
    expect(part).to.include({ records: 1000, searchByIdP50ms: 0.12, searchHourP50ms: 0.4, verifyPerSec: 300_000 });
  });

  it("takes runLogGrowth's fields, verify as the CLI runs it (with the body check)", () => {
    const part = adaptGrowth({ records: 5000, searchByMessageIdP50Ms: 0.2, searchByHourP50Ms: 0.5, verifyRecordsPerSec: 210_000, verifyMetadataOnlyRecordsPerSec: 260_000, rows: [] }, 5000);
    expect(part).to.include({ records: 5000, searchByIdP50ms: 0.2, searchHourP50ms: 0.5, verifyPerSec: 210_000 });
    expect(adaptGrowth({ rows: [{ measure: 'verify, metadata only', value: '1000 records/s' }] }, 10)?.verifyPerSec).to.equal(1000);
    expect(adaptGrowth({}, 10)).to.equal(undefined);
  });
});
