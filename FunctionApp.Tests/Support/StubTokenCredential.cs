using System.Buffers.Text;
using System.Text;
using Azure.Core;
using Azure.Identity;

namespace FunctionApp.Tests.Support;

/// <summary>
/// A stand-in for the app's managed identity: hands out the token the test last gave it, or fails as an unreachable
/// identity endpoint does, and counts how often it was asked.
/// </summary>
public sealed class StubTokenCredential : TokenCredential
{
    private readonly Lock _lock = new();
    private AccessToken? _token;
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A token shaped as Entra's are, a JWT whose payload names <paramref name="objectId"/> in oid; unsigned, as Redis here does not check it.</summary>
    public static string TokenFor(string objectId, string serial)
    {
        static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

        return Segment("""{"typ":"JWT","alg":"RS256"}""") + "." + Segment($$"""{"aud":"https://redis.azure.com","oid":"{{objectId}}","serial":"{{serial}}"}""") + ".c2lnbmF0dXJl";
    }

    /// <summary>From now on, hands out <paramref name="token"/>, expiring at <paramref name="expiresOn"/>.</summary>
    public void Hand(string token, DateTimeOffset expiresOn, DateTimeOffset? refreshOn = null)
    {
        lock (_lock)
        {
            _token = new AccessToken(token, expiresOn, refreshOn);
        }
    }

    /// <summary>From now on, fails.</summary>
    public void Fail()
    {
        lock (_lock)
        {
            _token = null;
        }
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Assert.Equal(["https://redis.azure.com/.default"], requestContext.Scopes);
        Interlocked.Increment(ref _requests);
        lock (_lock)
        {
            return _token ?? throw new CredentialUnavailableException("ManagedIdentityCredential authentication unavailable: no identity endpoint here.");
        }
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
