using System.Collections.Concurrent;
using System.Diagnostics;

namespace FunctionApp.TestHost.Load;

/// <summary>Sends a fixed number of requests from a fixed number of concurrent clients and checks every answer.</summary>
public static class LoadDriver
{
    public static async Task<LoadResult> RunAsync(
        HttpClient client, int requests, int concurrency, Func<int, LoadRequest> requestAt, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(requestAt);
        var latencies = new TimeSpan[requests];
        var statuses = new ConcurrentDictionary<int, int>();
        var wrong = 0;
        var next = -1;
        var total = Stopwatch.StartNew();

        async Task ClientAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests)
            {
                var expected = requestAt(index);
                using var message = new HttpRequestMessage(HttpMethod.Get, expected.Path);
                if (expected.Authorization is not null)
                {
                    message.Headers.TryAddWithoutValidation("Authorization", expected.Authorization);
                }

                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(message, cancellation).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
                latencies[index] = Stopwatch.GetElapsedTime(started);

                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, count) => count + 1);
                if (status != expected.ExpectedStatus || !body.Contains(expected.ExpectedBodyFragment, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(ClientAsync, cancellation))).ConfigureAwait(false);
        return new LoadResult(total.Elapsed, statuses, wrong, latencies);
    }
}
