// Loads Debian's librdkafka (librdkafka.so.1) for both Confluent.Kafka and this project's own P/Invokes.
//
// Why: Confluent.Kafka's own Library.Load dlopens through "libdl", which Debian 12 only ships as
// libdl.so.2, and the NuGet package that normally bundles the native library (librdkafka.redist) is not
// in the mirror. So every DllImport of "librdkafka" is routed here, and a missing library becomes one
// clear, typed error that names the fix instead of a DllNotFoundException deep inside a client.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Broker.Kafka.Native;

/// <summary>Resolves and loads the native librdkafka once per process.</summary>
public static class LibrdkafkaLoader
{
    /// <summary>Environment variable that overrides where librdkafka is loaded from (a full path).</summary>
    public const string PathVariable = "BROKER_LIBRDKAFKA";

    /// <summary>The file names tried in order when no override is set.</summary>
    public static readonly IReadOnlyList<string> DefaultCandidates = ["librdkafka.so.1", "librdkafka.so"];

    private static readonly Lock Gate = new();
    private static IntPtr _handle;
    private static string? _failure;
    private static int _resolversRegistered;

    /// <summary>
    /// Registers the resolver for Confluent.Kafka and this assembly. Runs when this assembly is first used,
    /// which is before any client is built through <see cref="KafkaClients"/>.
    /// </summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "The resolver must be in place before Confluent.Kafka's first P/Invoke.")]
    internal static void RegisterResolvers()
    {
        if (Interlocked.Exchange(ref _resolversRegistered, 1) == 1)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
        NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaLoader).Assembly, Resolve);
    }

    /// <summary>
    /// Loads librdkafka now and returns its handle, or throws <see cref="KafkaNativeLibraryException"/> that says
    /// what was tried and how to install it.
    /// </summary>
    public static IntPtr EnsureLoaded()
    {
        RegisterResolvers();
        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return _handle;
            }

            if (_failure is not null)
            {
                throw new KafkaNativeLibraryException(_failure);
            }

            var candidates = Candidates(Environment.GetEnvironmentVariable(PathVariable));
            if (TryLoadAny(candidates, out _handle, out var errors))
            {
                return _handle;
            }

            _failure = DescribeMissing(candidates, errors);
            throw new KafkaNativeLibraryException(_failure);
        }
    }

    /// <summary>The candidate paths for a given override value (null or empty means the defaults).</summary>
    public static IReadOnlyList<string> Candidates(string? overridePath) =>
        string.IsNullOrWhiteSpace(overridePath) ? DefaultCandidates : [overridePath];

    /// <summary>Tries each candidate in order; on failure returns every loader error.</summary>
    public static bool TryLoadAny(IReadOnlyList<string> candidates, out IntPtr handle, out IReadOnlyList<string> errors)
    {
        var failures = new List<string>();
        foreach (var candidate in candidates)
        {
            try
            {
                handle = NativeLibrary.Load(candidate);
                errors = failures;
                return true;
            }
            catch (DllNotFoundException e)
            {
                failures.Add($"{candidate}: {LastLine(e.Message)}");
            }
            catch (BadImageFormatException e)
            {
                failures.Add($"{candidate}: not a loadable library ({e.Message})");
            }
        }

        handle = IntPtr.Zero;
        errors = failures;
        return false;
    }

    /// <summary>The message given when librdkafka cannot be loaded: what was tried and the fix.</summary>
    public static string DescribeMissing(IReadOnlyList<string> candidates, IReadOnlyList<string> errors) =>
        $"The native Kafka client library librdkafka could not be loaded (tried {string.Join(", ", candidates)}). "
        + "Fix: run ./scripts/setup.sh, or install it with `apt-get install librdkafka1` (Debian 12 ships 2.0.2), "
        + $"or set {PathVariable} to the full path of librdkafka.so.1. Loader said: {string.Join("; ", errors)}";

    // The runtime's message is several lines of generic advice; the dynamic loader's own reason is the last line.
    private static string LastLine(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName is "librdkafka" or "librdkafka.so.1" ? EnsureLoaded() : IntPtr.Zero;
}
