// Collects one PipelineMetrics' instruments with a MeterListener and renders them in the Prometheus text
// exposition format (version 0.0.4): counters as <name>_total, histograms as cumulative le-buckets with _sum and
// _count, observable gauges read at scrape time. No exporter package restores here, and the format is small.
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Broker.Pipeline.Metrics;

public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Bucket bounds (ms) for every histogram: latencies from 0.1 ms to 10 s.</summary>
    public static readonly double[] Buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();
    private readonly Lock _observeGate = new();

    public PrometheusExporter(PipelineMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                _series[instrument] = new Series(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    /// <summary>The current values in Prometheus text format.</summary>
    public string Render()
    {
        lock (_observeGate)
        {
            foreach (var s in _series.Values.Where(s => s.Observable))
            {
                s.ClearObserved();
            }

            _listener.RecordObservableInstruments();
        }

        var text = new StringBuilder();
        foreach (var series in _series.Values.OrderBy(s => s.Instrument.Name, StringComparer.Ordinal))
        {
            series.Render(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Record(value, Labels(instrument.Meter.Tags, tags));
        }
    }

    /// <summary>The meter's own tags (the pipeline instance) and the measurement's, sorted, as Prometheus labels.</summary>
    private static string Labels(IEnumerable<KeyValuePair<string, object?>>? meterTags, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = new List<KeyValuePair<string, object?>>(meterTags ?? []);
        foreach (var t in tags)
        {
            all.Add(t);
        }

        if (all.Count == 0)
        {
            return string.Empty;
        }

        var parts = new List<string>(all.Count);
        foreach (var (key, value) in all)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            parts.Add($"{key}=\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    private sealed class Series(Instrument instrument)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long[] Counts, double Sum, long Count)> _histograms = new(StringComparer.Ordinal);

        public Instrument Instrument { get; } = instrument;

        public bool Observable => Instrument.IsObservable;

        private bool IsHistogram => Instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);

        private bool IsCounter => Instrument.GetType().Name.Contains("Counter", StringComparison.Ordinal);

        private string Name => Instrument.Unit == "ms" ? Instrument.Name + "_ms" : Instrument.Name;

        public void ClearObserved()
        {
            lock (_gate)
            {
                _values.Clear();
            }
        }

        public void Record(double value, string labels)
        {
            lock (_gate)
            {
                if (IsHistogram)
                {
                    var h = _histograms.TryGetValue(labels, out var existing) ? existing : (new long[Buckets.Length], 0d, 0L);
                    var bucket = Array.BinarySearch(Buckets, value);
                    bucket = bucket >= 0 ? bucket : ~bucket;
                    if (bucket < Buckets.Length)
                    {
                        h.Item1[bucket]++;
                    }

                    _histograms[labels] = (h.Item1, h.Item2 + value, h.Item3 + 1);
                }
                else if (IsCounter && !Observable)
                {
                    _values[labels] = _values.GetValueOrDefault(labels) + value;
                }
                else
                {
                    _values[labels] = value;
                }
            }
        }

        public void Render(StringBuilder text)
        {
            var inv = CultureInfo.InvariantCulture;
            var name = Name;
            var type = IsHistogram ? "histogram" : IsCounter ? "counter" : "gauge";
            var sample = IsCounter ? name + "_total" : name;
            text.Append(inv, $"# HELP {name} {Instrument.Description}\n# TYPE {name} {type}\n");
            lock (_gate)
            {
                foreach (var (labels, value) in _values.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(inv, $"{sample}{Braces(labels)} {Number(value)}\n");
                }

                foreach (var (labels, (counts, sum, count)) in _histograms.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    long cumulative = 0;
                    for (var i = 0; i < Buckets.Length; i++)
                    {
                        cumulative += counts[i];
                        text.Append(inv, $"{name}_bucket{Braces(Join(labels, $"le=\"{Number(Buckets[i])}\""))} {cumulative}\n");
                    }

                    text.Append(inv, $"{name}_bucket{Braces(Join(labels, "le=\"+Inf\""))} {count}\n");
                    text.Append(inv, $"{name}_sum{Braces(labels)} {Number(sum)}\n");
                    text.Append(inv, $"{name}_count{Braces(labels)} {count}\n");
                }
            }
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Braces(string labels) => labels.Length == 0 ? string.Empty : "{" + labels + "}";

        private static string Number(double value) =>
            double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);
    }
}
