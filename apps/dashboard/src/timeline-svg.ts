import { svg } from './dom.js';
import { formatDuration, formatInstant } from './format.js';
import { DAY_MS, type LaneSpan, type TimelineLayout } from './timeline-layout.js';

/** The drawing's units are CSS pixels of the box it is drawn for, so its text stays readable on a phone. */
const DEFAULT_WIDTH = 1000;
const NARROW_WIDTH = 600;
const AXIS_HEIGHT = 24;
const LANE_HEIGHT = 40;

/** Geometry inside one lane, from its top. */
const BAND_TOP = 4;
const BAND_HEIGHT = LANE_HEIGHT - 8;
const POLL_Y = 13;
const SEGMENT_TOP = 21;
const SEGMENT_HEIGHT = 11;

/** Horizontal geometry for a drawing `width` units wide: the whole day always fits. */
class Scale {
  readonly labelWidth: number;
  readonly plotWidth: number;
  /** Hours between two ticks of the axis: fewer on a narrow drawing, so the labels do not collide. */
  readonly tickHours: number;

  constructor(readonly drawingWidth: number) {
    const narrow = drawingWidth < NARROW_WIDTH;
    this.labelWidth = narrow ? 76 : 96;
    this.plotWidth = drawingWidth - this.labelWidth - (narrow ? 16 : 22);
    this.tickHours = narrow ? 6 : 3;
  }

  x(offsetMs: number): number {
    return this.labelWidth + (offsetMs / DAY_MS) * this.plotWidth;
  }

  spanWidth(span: LaneSpan): number {
    return Math.max(0.75, ((span.toMs - span.fromMs) / DAY_MS) * this.plotWidth);
  }
}

function clock(offsetMs: number): string {
  const minutes = Math.round(offsetMs / 60_000);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Hatching tells "down" and "outside the week" apart without relying on colour alone. */
function patterns(): SVGDefsElement {
  return svg(
    'defs',
    {},
    svg(
      'pattern',
      { id: 'tl-down', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      svg('rect', { width: 6, height: 6, fill: '#cf222e' }),
      svg('rect', { width: 2, height: 6, fill: '#ffffff', 'fill-opacity': 0.55 }),
    ),
    svg(
      'pattern',
      { id: 'tl-outside', width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      svg('rect', { width: 8, height: 8, fill: '#eaeef2' }),
      svg('rect', { width: 2, height: 8, fill: '#afb8c1' }),
    ),
  );
}

/**
 * Draws a store's week as one lane per local day: grey is closed, the outlined blue band is business hours,
 * the bar below shows the engine's up (solid green) and down (hatched red) segments, and each dot is a poll
 * (filled = active, hollow = inactive).
 */
export function renderTimelineSvg(layout: TimelineLayout, description: string, drawingWidth = DEFAULT_WIDTH): SVGSVGElement {
  const scale = new Scale(Math.round(drawingWidth));
  const height = AXIS_HEIGHT + layout.lanes.length * LANE_HEIGHT + 4;
  const root = svg('svg', {
    viewBox: `0 0 ${scale.drawingWidth} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': description,
    class: 'timeline-svg',
    'data-lanes': layout.lanes.length,
  });
  root.append(patterns());

  const axis = svg('g', { class: 'timeline-axis' });
  for (let hour = 0; hour <= 24; hour += scale.tickHours) {
    const tickX = scale.x(hour * 3_600_000);
    axis.append(
      svg('line', { x1: tickX, x2: tickX, y1: AXIS_HEIGHT - 4, y2: height - 4, stroke: '#d0d7de', 'stroke-width': 1 }),
      svg('text', { x: tickX, y: AXIS_HEIGHT - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#57606a' }, `${String(hour).padStart(2, '0')}:00`),
    );
  }
  root.append(axis);

  layout.lanes.forEach((lane, index) => {
    const top = AXIS_HEIGHT + index * LANE_HEIGHT;
    const group = svg('g', { class: 'timeline-lane', transform: `translate(0 ${top})` });
    group.append(
      svg('text', { x: 4, y: LANE_HEIGHT / 2 + 4, 'font-size': 13, fill: '#1f2328' }, lane.label),
      svg('rect', { x: scale.labelWidth, y: BAND_TOP, width: scale.plotWidth, height: BAND_HEIGHT, fill: '#eaeef2' }),
    );
    for (const span of lane.business) {
      group.append(
        svg(
          'rect',
          { class: 'tl-business', x: scale.x(span.fromMs), y: BAND_TOP, width: scale.spanWidth(span), height: BAND_HEIGHT, fill: '#dcebff', stroke: '#1f5fbf', 'stroke-width': 1 },
          svg('title', {}, `Business hours ${clock(span.fromMs)}–${clock(span.toMs)}`),
        ),
      );
    }
    for (const span of lane.outsideWindow) {
      group.append(
        svg(
          'rect',
          { x: scale.x(span.fromMs), y: BAND_TOP, width: scale.spanWidth(span), height: BAND_HEIGHT, fill: 'url(#tl-outside)', 'fill-opacity': 0.8 },
          svg('title', {}, 'Outside the report week'),
        ),
      );
    }
    for (const segment of lane.segments) {
      group.append(
        svg(
          'rect',
          {
            class: `tl-segment tl-${segment.status}`,
            x: scale.x(segment.fromMs),
            y: SEGMENT_TOP,
            width: scale.spanWidth(segment),
            height: SEGMENT_HEIGHT,
            fill: segment.status === 'up' ? '#1a7f37' : 'url(#tl-down)',
          },
          svg('title', {}, `${segment.status === 'up' ? 'Up' : 'Down'} ${clock(segment.fromMs)}–${clock(segment.toMs)} (${formatDuration(segment.toMs - segment.fromMs)})`),
        ),
      );
    }
    for (const poll of lane.polls) {
      const active = poll.status === 'active';
      group.append(
        svg(
          'circle',
          {
            class: `tl-poll tl-poll-${poll.status}`,
            cx: scale.x(poll.offsetMs),
            cy: POLL_Y,
            r: 3.5,
            fill: active ? '#1a7f37' : '#ffffff',
            stroke: active ? '#ffffff' : '#cf222e',
            'stroke-width': active ? 1 : 2,
          },
          svg('title', {}, `Poll at ${clock(poll.offsetMs)} local (${formatInstant(poll.at)}): ${poll.status}`),
        ),
      );
    }
    root.append(group);
  });
  return root;
}
