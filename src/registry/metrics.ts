/** Prometheus metrics in the text exposition format (version 0.0.4), kept by hand: a few counters and one histogram. */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, { buckets: number[]; sum: number; count: number }>();
  bytesIn = 0;
  bytesOut = 0;
  gcRuns = 0;
  gcDeleted = 0;
  private readonly started = Date.now();

  observe(method: string, route: string, status: number, seconds: number): void {
    const k = labels({ method, route, code: String(status) });
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    const dk = labels({ route });
    let d = this.durations.get(dk);
    if (!d) {
      d = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(dk, d);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) d.buckets[i]++;
    d.sum += seconds;
    d.count++;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP registry_http_requests_total HTTP requests by method, route and status code.');
    out.push('# TYPE registry_http_requests_total counter');
    for (const [k, v] of this.requests) out.push(`registry_http_requests_total${k} ${v}`);
    out.push('# HELP registry_http_request_duration_seconds Time to answer a request, by route.');
    out.push('# TYPE registry_http_request_duration_seconds histogram');
    for (const [k, d] of this.durations) {
      const inner = k.slice(1, -1);
      for (let i = 0; i < BUCKETS.length; i++) {
        const b = BUCKETS[i];
        out.push(`registry_http_request_duration_seconds_bucket{${inner},le="${b}"} ${d.buckets[i]}`);
      }
      out.push(`registry_http_request_duration_seconds_bucket{${inner},le="+Inf"} ${d.count}`);
      out.push(`registry_http_request_duration_seconds_sum${k} ${d.sum}`);
      out.push(`registry_http_request_duration_seconds_count${k} ${d.count}`);
    }
    const mem = process.memoryUsage();
    const simple: [string, string, string, number][] = [
      ['registry_received_bytes_total', 'counter', 'Request body bytes received.', this.bytesIn],
      ['registry_sent_bytes_total', 'counter', 'Response bytes sent.', this.bytesOut],
      ['registry_gc_runs_total', 'counter', 'Garbage collections run.', this.gcRuns],
      ['registry_gc_deleted_blobs_total', 'counter', 'Blobs deleted by garbage collection.', this.gcDeleted],
      ['process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', mem.rss],
      ['nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, in bytes.', mem.heapUsed],
      ['process_uptime_seconds', 'gauge', 'Seconds since the registry started.', (Date.now() - this.started) / 1000],
    ];
    for (const [name, type, help, v] of simple)
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${v}`);
    return `${out.join('\n')}\n`;
  }
}
