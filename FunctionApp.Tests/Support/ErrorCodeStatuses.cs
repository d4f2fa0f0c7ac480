using System.Net;
using FunctionApp.Auth;

namespace FunctionApp.Tests.Support;

/// <summary>The status an error contract gives each OAuth error code, read from every rejection there is.</summary>
internal static class ErrorCodeStatuses
{
    /// <summary>One status per code: a code answered with two statuses fails the calling test.</summary>
    public static Dictionary<string, HttpStatusCode> Of(ErrorContractAnswers answers) =>
        TokenRejection.All
            .GroupBy(r => r.Error)
            .ToDictionary(g => g.Key, g => Assert.Single(g.Select(answers.Status).Distinct()));
}
