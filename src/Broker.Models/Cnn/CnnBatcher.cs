// The micro-batcher the pipeline's workers share: callers hand in one triplet each and await its score; runner
// loops (one per core given to the CNN, each running the one shared session with one intra-op thread) take
// what is queued, up to MaxBatch, waiting at most MaxWait for a batch to fill, and run it in one native call.
// Memory is bounded: the queue holds at most QueueCapacity triplets (a full queue makes callers wait, it never
// drops), triplet buffers are pooled, each runner owns one batch buffer, and ORT's arena is capped by MaxBatch.
using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Broker.Alerts.Model;

namespace Broker.Models.Cnn;

public sealed record CnnBatcherOptions
{
    /// <summary>Largest batch per Run; 16 is at ORT's per-triplet optimum for the shipped model (docs/performance.md).</summary>
    public int MaxBatch { get; init; } = 16;

    /// <summary>How long a runner holding a partial batch waits for more triplets before running it.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Runner loops, each one native call at a time (one core each).</summary>
    public int Runners { get; init; } = 1;

    /// <summary>Triplets queued beyond the ones being run; callers wait when it is full.</summary>
    public int QueueCapacity { get; init; } = 256;
}

public sealed class CnnBatcher : IAsyncDisposable
{
    private readonly CnnModel _model;
    private readonly CnnBatcherOptions _options;
    private readonly Channel<Request> _queue;
    private readonly Task[] _runners;
    private readonly long[] _batchSizes;
    private long _triplets;

    public CnnBatcher(CnnModel model, CnnBatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = options ?? new CnnBatcherOptions();
        if (_options.MaxBatch is < 1 or > CnnModel.MaxBatch || _options.Runners < 1 || _options.QueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxBatch must be 1..{CnnModel.MaxBatch}; Runners and QueueCapacity at least 1.");
        }

        _batchSizes = new long[_options.MaxBatch + 1];
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = _options.Runners == 1,
        });
        _runners = [.. Enumerable.Range(0, _options.Runners).Select(_ => Task.Factory.StartNew(RunLoopAsync, CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())];
    }

    public CnnBatcherOptions Options => _options;

    /// <summary>Triplets scored so far.</summary>
    public long Triplets => Interlocked.Read(ref _triplets);

    /// <summary>How many batches of each size (index = size) have run: what the metrics report as the batch-size histogram.</summary>
    public IReadOnlyList<long> BatchSizes => [.. Enumerable.Range(0, _batchSizes.Length).Select(i => Volatile.Read(ref _batchSizes[i]))];

    /// <summary>Preprocesses the alert's cutouts (on the caller's thread) and queues them; completes with the real probability.</summary>
    public ValueTask<float> ScoreAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<float>.Shared.Rent(CutoutTensor.Length);
        try
        {
            CutoutTensor.Write(alert, buffer);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(buffer);
            throw;
        }

        return EnqueueAsync(buffer, cancellationToken);
    }

    /// <summary>Queues an already preprocessed triplet (CutoutTensor.Length values).</summary>
    public ValueTask<float> ScoreAsync(ReadOnlySpan<float> tensor, CancellationToken cancellationToken = default)
    {
        if (tensor.Length != CutoutTensor.Length)
        {
            throw new ArgumentException($"A triplet is {CutoutTensor.Length} values, got {tensor.Length}.", nameof(tensor));
        }

        var buffer = ArrayPool<float>.Shared.Rent(CutoutTensor.Length);
        tensor.CopyTo(buffer);
        return EnqueueAsync(buffer, cancellationToken);
    }

    /// <summary>Stops taking triplets, scores what is queued, and waits for the runners.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_runners).ConfigureAwait(false);
    }

    private async ValueTask<float> EnqueueAsync(float[] buffer, CancellationToken cancellationToken)
    {
        var request = new Request(buffer);
        try
        {
            await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(buffer);
            throw;
        }

        return await request.Completion.Task.ConfigureAwait(false);
    }

    private async Task RunLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new Request[_options.MaxBatch];
        var input = new float[_options.MaxBatch * CutoutTensor.Length];
        var scores = new float[_options.MaxBatch];
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var n = 0;
            var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxWait.TotalSeconds * Stopwatch.Frequency);
            while (n < batch.Length)
            {
                if (reader.TryRead(out var request))
                {
                    batch[n++] = request;
                    continue;
                }

                var remaining = deadline - Stopwatch.GetTimestamp();
                if (n > 0 && remaining <= 0)
                {
                    break;
                }

                if (!await WaitForMoreAsync(reader, remaining).ConfigureAwait(false))
                {
                    break;
                }
            }

            if (n > 0)
            {
                Run(batch, n, input, scores);
            }
        }
    }

    /// <summary>Waits until a triplet is queued or the time is up; false when the time ran out or the queue closed.</summary>
    private static async ValueTask<bool> WaitForMoreAsync(ChannelReader<Request> reader, long remainingTicks)
    {
        if (remainingTicks <= 0)
        {
            return false;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds((double)remainingTicks / Stopwatch.Frequency));
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Run(Request[] batch, int n, float[] input, float[] scores)
    {
        for (var i = 0; i < n; i++)
        {
            batch[i].Tensor.AsSpan(0, CutoutTensor.Length).CopyTo(input.AsSpan(i * CutoutTensor.Length));
            ArrayPool<float>.Shared.Return(batch[i].Tensor);
        }

        try
        {
            _model.Score(input.AsSpan(0, n * CutoutTensor.Length), n, scores);
            for (var i = 0; i < n; i++)
            {
                batch[i].Completion.TrySetResult(scores[i]);
            }
        }
        catch (Exception e)
        {
            // The batch's callers get the error (the pipeline dead-letters those alerts); the batcher goes on.
            for (var i = 0; i < n; i++)
            {
                batch[i].Completion.TrySetException(e);
            }
        }

        Interlocked.Increment(ref _batchSizes[n]);
        Interlocked.Add(ref _triplets, n);
        Array.Clear(batch, 0, n);
    }

    private sealed class Request(float[] tensor)
    {
        public float[] Tensor { get; } = tensor;

        public TaskCompletionSource<float> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
