// Where an alert came from, as a group for evaluations that hold out whole origins or nights (issue 29): the folder
// that holds its file, since alerts of one folder came from one producer (a broker's test data, a survey's sample,
// one Data Transfer export split into many Parquet parts). Joined with the observing night, it is the group a
// night-grouped evaluation holds out together.
namespace Broker.Sources;

public static class SourceOrigin
{
    public static string Of(SourceItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(item.Path))) ?? item.Path;
    }
}
