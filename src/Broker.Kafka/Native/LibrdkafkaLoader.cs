// Pins the native librdkafka that the librdkafka.redist package ships, by full path, for both Confluent.Kafka
// and this project's own P/Invokes (the mock-cluster API), and checks its version before any client is built.
//
// Why: left to itself, Confluent.Kafka loads "librdkafka" through the dynamic loader's search path, so a stray
// librdkafka.so elsewhere (Debian's librdkafka-dev, LD_LIBRARY_PATH) wins silently and breaks the client; and on
// Debian 12 the redist's default build needs libsasl2.so.3 (Debian has .so.2), so the client quietly falls back
// to the redist's centos8 build. Here that choice is explicit: the default build first (it adds GSSAPI/Kerberos
// where the machine can load it), then the centos8 build, both from this application's own folder;
// what was loaded is reported (`broker kafka serve` prints it), and a wrong version is one clear error naming the fix.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Broker.Kafka.Native;

/// <summary>Resolves, loads and version-checks the native librdkafka once per process.</summary>
public static class LibrdkafkaLoader
{
    /// <summary>Environment variable that overrides where librdkafka is loaded from (a full path).</summary>
    public const string PathVariable = "BROKER_LIBRDKAFKA";

    /// <summary>The librdkafka version this build is tested with (librdkafka.redist's), as rd_kafka_version() gives it.</summary>
    public const int ExpectedVersion = 0x021000ff;

    /// <summary><see cref="ExpectedVersion"/> as text.</summary>
    public static string ExpectedVersionText => VersionText(ExpectedVersion);

    /// <summary>The redist's builds for this machine, in order of preference: full GSSAPI build, then centos8 (no GSSAPI).</summary>
    public static readonly IReadOnlyList<string> RedistFiles = ["librdkafka.so", "centos8-librdkafka.so"];

    // The names Confluent.Kafka and this assembly import librdkafka under: all of them get the pinned library.
    private static readonly HashSet<string> ImportNames = new(StringComparer.Ordinal)
    {
        "librdkafka", "librdkafka.so", "librdkafka.so.1", "centos8-librdkafka.so", "centos7-librdkafka.so", "alpine-librdkafka.so",
    };

    private static readonly Lock Gate = new();
    private static IntPtr _handle;
    private static string? _path;
    private static string? _failure;
    private static int _resolversRegistered;

    /// <summary>The full path of the library in use, once loaded.</summary>
    public static string? LoadedPath
    {
        get
        {
            lock (Gate)
            {
                return _path;
            }
        }
    }

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
    /// what was tried and how to fix it (a missing library, or one of another version).
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

            var overridePath = Environment.GetEnvironmentVariable(PathVariable);
            var candidates = Candidates(overridePath, AppContext.BaseDirectory);
            if (!TryLoadAny(candidates, out var handle, out var path, out var errors))
            {
                _failure = DescribeMissing(candidates, errors);
                throw new KafkaNativeLibraryException(_failure);
            }

            var version = ReadVersion(handle);
            if (version != ExpectedVersion)
            {
                NativeLibrary.Free(handle);
                _failure = DescribeWrongVersion(path, version);
                throw new KafkaNativeLibraryException(_failure);
            }

            _handle = handle;
            _path = path;
            return _handle;
        }
    }

    /// <summary>
    /// The full paths tried, in order: the override alone when set; else the redist's builds for this process's
    /// architecture in <paramref name="baseDirectory"/> itself (where a build for one runtime, as this repository's,
    /// puts them), then under its runtimes/ folder (where a portable build does); never a bare name the loader
    /// would search for.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string? overridePath, string baseDirectory)
    {
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            return [overridePath];
        }

        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var native = Path.Combine(baseDirectory, "runtimes", rid, "native");
        return [.. RedistFiles.Select(f => Path.Combine(baseDirectory, f)), .. RedistFiles.Select(f => Path.Combine(native, f))];
    }

    /// <summary>Tries each candidate in order; on failure returns every loader error.</summary>
    public static bool TryLoadAny(IReadOnlyList<string> candidates, out IntPtr handle, out string path, out IReadOnlyList<string> errors)
    {
        var failures = new List<string>();
        foreach (var candidate in candidates)
        {
            try
            {
                handle = NativeLibrary.Load(candidate);
                path = candidate;
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
        path = string.Empty;
        errors = failures;
        return false;
    }

    /// <summary>The message given when librdkafka cannot be loaded: what was tried and the fix.</summary>
    public static string DescribeMissing(IReadOnlyList<string> candidates, IReadOnlyList<string> errors) =>
        $"The native Kafka client library librdkafka could not be loaded (tried {string.Join(", ", candidates)}). "
        + $"Fix: rebuild the broker (`dotnet build` restores librdkafka.redist {ExpectedVersionText} into the application folder), "
        + $"or set {PathVariable} to the full path of a librdkafka {ExpectedVersionText} library. "
        + $"Loader said: {string.Join("; ", errors)}";

    /// <summary>The message given when the library loaded but is not the version this build was tested with.</summary>
    public static string DescribeWrongVersion(string path, int version) =>
        $"{path} is librdkafka {VersionText(version)}; this broker is built and tested with {ExpectedVersionText}. "
        + $"Fix: unset {PathVariable} (or point it at librdkafka {ExpectedVersionText}); the broker's own copy is in its application folder.";

    /// <summary>"2.16.0" from rd_kafka_version()'s 0xMMmmrrpp.</summary>
    public static string VersionText(int version) =>
        $"{(version >> 24) & 0xff}.{(version >> 16) & 0xff}.{(version >> 8) & 0xff}";

    private static unsafe int ReadVersion(IntPtr handle) =>
        NativeLibrary.TryGetExport(handle, "rd_kafka_version", out var export)
            ? ((delegate* unmanaged<int>)export)()
            : 0;

    // The runtime's message is several lines of generic advice; the dynamic loader's own reason is the last line.
    private static string LastLine(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        ImportNames.Contains(libraryName) || libraryName.EndsWith("librdkafka.so", StringComparison.Ordinal) ? EnsureLoaded() : IntPtr.Zero;
}
