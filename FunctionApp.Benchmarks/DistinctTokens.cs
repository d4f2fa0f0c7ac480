using System.Globalization;
using FunctionApp.TestHost.Issuer;

namespace FunctionApp.Benchmarks;

/// <summary>Valid bearer credentials that differ by their jti, as the tokens of distinct clients differ.</summary>
internal static class DistinctTokens
{
    public static string[] Mint(LocalIssuer issuer, int count) =>
        Enumerable.Range(0, count).AsParallel().Select(i =>
        {
            var payload = issuer.NewPayload();
            payload["jti"] = i.ToString(CultureInfo.InvariantCulture);
            return "Bearer " + issuer.Sign(issuer.NewHeader(), payload);
        }).ToArray();
}
