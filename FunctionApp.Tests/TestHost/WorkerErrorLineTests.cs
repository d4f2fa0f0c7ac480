using FunctionApp.TestHost.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.TestHost;

public sealed class WorkerErrorLineTests
{
    [Fact]
    public void A_line_starting_with_the_host_log_prefix_is_logged_without_it() =>
        Assert.Equal("Error: bad", WorkerErrorLine.MessageOf("LanguageWorkerConsoleLogError: bad"));

    [Fact]
    public void A_line_not_starting_with_the_prefix_is_logged_as_written() =>
        Assert.Equal("Unhandled exception. LanguageWorkerConsoleLog", WorkerErrorLine.MessageOf("Unhandled exception. LanguageWorkerConsoleLog"));

    [Theory]
    [InlineData("LanguageWorkerConsoleLogError: bad", LogLevel.Error)]
    [InlineData("Unhandled exception. System.Exception: boom", LogLevel.Error)]
    [InlineData("the build failed", LogLevel.Error)]
    [InlineData("SEVERE: out of memory", LogLevel.Error)]
    [InlineData("error, but only a warning", LogLevel.Warning)]
    [InlineData("   at Program.<Main>$(String[] args)", LogLevel.Information)]
    public void A_line_is_graded_by_the_words_the_genuine_host_looks_for(string line, LogLevel level) =>
        Assert.Equal(level, WorkerErrorLine.LevelOf(line));
}
