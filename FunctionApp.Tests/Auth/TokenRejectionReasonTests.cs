using FunctionApp.Auth;

namespace FunctionApp.Tests.Auth;

/// <summary>The reasons rejections give: what tells a client which check refused its request.</summary>
public sealed class TokenRejectionReasonTests
{
    [Fact]
    public void Every_rejection_has_a_reason_of_its_own()
    {
        var reasons = TokenRejection.All.Select(rejection => rejection.Reason).ToArray();

        Assert.All(reasons, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
        Assert.Equal(reasons.Length, reasons.Distinct(StringComparer.Ordinal).Count());
    }
}
