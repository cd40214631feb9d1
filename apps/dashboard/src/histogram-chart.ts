import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import type { UptimeHistogram } from './report-summary.js';

// Register only what a bar chart needs, so the bundle carries no other chart types.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const BAR_COLOUR = '#1f5fbf';
const TEXT_COLOUR = '#1f2328';
const GRID_COLOUR = '#d0d7de';

/** The bar chart of stores by weekly uptime %; one Chart instance reused across reports. */
export class HistogramChart {
  private chart: Chart<'bar'> | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  show(histogram: UptimeHistogram): void {
    if (this.chart) {
      this.chart.data.labels = histogram.labels;
      const dataset = this.chart.data.datasets[0];
      if (dataset) dataset.data = histogram.counts;
      this.chart.update();
      return;
    }
    this.chart = new Chart(this.canvas, {
      type: 'bar',
      data: {
        labels: histogram.labels,
        datasets: [{ label: 'Stores', data: histogram.counts, backgroundColor: BAR_COLOUR, borderRadius: 2 }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => `Weekly uptime ${items[0]?.label ?? ''}` } },
        },
        scales: {
          x: { title: { display: true, text: 'Weekly uptime (% of business time)', color: TEXT_COLOUR }, ticks: { color: TEXT_COLOUR }, grid: { display: false } },
          y: { beginAtZero: true, title: { display: true, text: 'Stores', color: TEXT_COLOUR }, ticks: { color: TEXT_COLOUR, precision: 0 }, grid: { color: GRID_COLOUR } },
        },
      },
    });
  }
}
