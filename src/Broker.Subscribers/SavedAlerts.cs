// Where `broker listen --save DIR` keeps what arrives, in forms a subscriber's own tools open:
//   DIR/<survey>/<alert id>.avro               the alert as it came, as a standard Avro file (a ZTF container message
//                                              as is; a framed message wrapped in a one-record container file with
//                                              its schema), readable by fastavro, `broker inspect`, any Avro reader
//   DIR/<survey>/<alert id>.<cutout>.png      science, template and difference (full payload), north up
//   DIR/alerts.jsonl                           one JSON line per alert: identity, photometry, scores, novelty and
//                                              its explanation, filters matched, topic/partition/offset, the files
// Files are written and flushed before the listener stores the alert's offset.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Broker.Alerts.Imaging;
using Broker.Avro.Container;

namespace Broker.Subscribers;

public sealed class SavedAlerts : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly string _root;
    private readonly StreamWriter _lines;

    public SavedAlerts(string root)
    {
        _root = Path.GetFullPath(root ?? throw new ArgumentNullException(nameof(root)));
        Directory.CreateDirectory(_root);
        _lines = new StreamWriter(new FileStream(Path.Combine(_root, "alerts.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    public string Root => _root;

    /// <summary>Writes the alert's files and its JSON line; returns the Avro file's path.</summary>
    public string Save(ReceivedAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var folder = Path.Combine(_root, alert.Survey);
        Directory.CreateDirectory(folder);
        var id = alert.AlertId.ToString(CultureInfo.InvariantCulture);
        var avro = Path.Combine(folder, id + ".avro");
        Write(avro, ContainerFile.HasMagic(alert.Message.Span)
            ? alert.Message.Span
            : ContainerFileWriter.WriteEncoded(alert.SchemaJson, [alert.Datum], "null", 1, SHA256.HashData(Encoding.UTF8.GetBytes(id))[..ContainerFile.SyncSize]));

        var pngs = new List<string>();
        if (alert.Alert is { } full)
        {
            foreach (var (name, cutout) in new[] { ("science", full.Science), ("template", full.Template), ("difference", full.Difference) })
            {
                if (CutoutPng.Render(cutout) is { } png)
                {
                    var path = Path.Combine(folder, $"{id}.{name}.png");
                    Write(path, png);
                    pngs.Add(path);
                }
            }
        }

        _lines.WriteLine(JsonSerializer.Serialize(Summary(alert, avro, pngs), Json));
        _lines.Flush();
        return avro;
    }

    public void Dispose() => _lines.Dispose();

    /// <summary>The JSON line's content (also what `listen --json` prints).</summary>
    public static Dictionary<string, object?> Summary(ReceivedAlert alert, string? file = null, IReadOnlyList<string>? pngs = null)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var a = alert.Annotation;
        return new Dictionary<string, object?>
        {
            ["survey"] = alert.Survey,
            ["alert_id"] = alert.AlertId,
            ["object_id"] = alert.ObjectId,
            ["mjd"] = alert.Mjd,
            ["observed"] = alert.ObservedUtc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["ra"] = alert.Ra,
            ["dec"] = alert.Dec,
            ["band"] = alert.Band,
            ["mag"] = alert.Mag,
            ["magerr"] = alert.MagErr,
            ["rb"] = Finite(a.Rb),
            ["cnn"] = a.Cnn is { } cnn ? Finite(cnn) : null,
            ["rb_combined"] = a.RbCombined is { } combined ? Finite(combined) : null,
            ["novelty"] = a.Novelty is { } n ? new Dictionary<string, object?>
            {
                ["score"] = Finite(n.Score),
                ["subspace"] = n.Subspace,
                ["top_features"] = n.TopFeatures.ToDictionary(f => f.Key, f => Finite(f.Value)),
            }
            : null,
            ["filters"] = a.Filters,
            ["payload"] = alert.Payload.ToString().ToLowerInvariant(),
            ["topic"] = alert.Topic,
            ["partition"] = alert.Partition,
            ["offset"] = alert.Offset,
            ["file"] = file,
            ["cutouts"] = pngs,
        };
    }

    private static double? Finite(float value) => float.IsFinite(value) ? Math.Round(value, 6) : null;

    // Written whole to a temporary name and moved: a stop mid-write leaves no torn file under the final name.
    private static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
