// The broker's own archive files as an alert source (Broker.Sources): each archived record becomes the alert
// message it was before annotation, so `inspect`, `eval real` and training read an archive like any folder of
// alerts. Replays that need the recorded annotation read the archive with ArchiveReader (--archive --night).
using System.Text;
using Broker.Avro.Container;
using Broker.Sources;

namespace Broker.Archive;

public sealed class ArchiveAlertFormat : IAlertFileFormat
{
    public static readonly ArchiveAlertFormat Instance = new();

    private static readonly byte[] Key = Encoding.UTF8.GetBytes(ArchivePart.InputSchemaKey);

    /// <summary>An Avro container file whose header carries the archive's input-schema metadata key.</summary>
    public bool Claims(string path, ReadOnlySpan<byte> head) => ContainerFile.HasMagic(head) && head.IndexOf(Key) >= 0;

    public IEnumerable<SourceItem> Read(string path)
    {
        IEnumerable<ArchivedAlert> alerts;
        try
        {
            alerts = ArchiveReader.ReadPart(path);
        }
        catch (ArchiveException e)
        {
            return [SourceItem.Failed(path, SourceFormat.BrokerArchive, e.Message)];
        }

        return Items(path, alerts);
    }

    public long? Count(string path) => null;

    private static IEnumerable<SourceItem> Items(string path, IEnumerable<ArchivedAlert> alerts)
    {
        using var e = alerts.GetEnumerator();
        while (true)
        {
            string? problem = null;
            try
            {
                if (!e.MoveNext())
                {
                    yield break;
                }
            }
            catch (ArchiveException x)
            {
                problem = x.Message;
            }

            if (problem is not null)
            {
                yield return SourceItem.Failed(path, SourceFormat.BrokerArchive, problem);
                yield break;
            }

            yield return new SourceItem(path, $"{e.Current.Part}#{e.Current.Record}", SourceFormat.BrokerArchive, e.Current.Message) { Detail = "broker archive" };
        }
    }
}
