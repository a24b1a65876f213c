using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace P2PActors.Node.Api;

/// <summary>
/// A token bucket per client address (per /64 for IPv6) for the HTTP writes (any method but GET, HEAD and OPTIONS): generating, rating,
/// sharing, moving, filling inventories. /ws had a budget per connection, HTTP none, so one client could make a node
/// generate, store and replicate as fast as it could send (a new stored body per unseeded generation, a new player per
/// fresh id). Over the budget a write is a 429 problem with <c>Retry-After</c>, before it does anything; reads are never
/// limited. Built on ASP.NET Core's rate limiter; <c>--http-write-rate 0</c> turns it off.
/// </summary>
public static class WriteRateLimit
{
    public static IServiceCollection AddWriteRateLimit(this IServiceCollection services, int writesPerSecond, int burst)
    {
        if (writesPerSecond <= 0)
            return services;
        return services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(context =>
                CrossSiteWrites.IsWrite(context.Request.Method)
                    ? RateLimitPartition.GetTokenBucketLimiter(Client(context), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = burst,
                        TokensPerPeriod = writesPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter(IPAddress.None));
            limiter.OnRejected = (rejected, ct) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many writes.",
                    detail: $"This node takes {writesPerSecond} writes per second from one address ({burst} at once); " +
                            $"nothing was done. Try again in {retryAfter} s.").ExecuteAsync(rejected.HttpContext));
            };
        });
    }

    public static WebApplication UseWriteRateLimit(this WebApplication app, int writesPerSecond)
    {
        if (writesPerSecond > 0)
            app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// The client's bucket: its IPv4 address (also when seen through IPv6), or the /64 of an IPv6 address, since one
    /// IPv6 client usually holds a whole /64 and could otherwise take a fresh budget per address.
    /// </summary>
    private static IPAddress Client(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return IPAddress.None;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
            return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
