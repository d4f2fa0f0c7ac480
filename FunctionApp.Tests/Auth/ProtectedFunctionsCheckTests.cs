using System.Collections.Immutable;
using FunctionApp.Auth;
using FunctionApp.Functions;
using FunctionApp.Tests.Support;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Tests.Auth;

/// <summary>The start-up check over every function the host will load: what stops start-up, and what is left to each call.</summary>
public sealed class ProtectedFunctionsCheckTests
{
    private static readonly string AppDirectory = Path.GetDirectoryName(typeof(ApiFunctions).Assembly.Location)!;

    [Fact]
    public async Task The_apps_own_functions_pass_the_check()
    {
        var functions = new[]
        {
            Metadata("public", typeof(ApiFunctions), nameof(ApiFunctions.Public)),
            Metadata("private", typeof(ApiFunctions), nameof(ApiFunctions.Private)),
            Metadata("docs", typeof(ApiDocsFunctions), nameof(ApiDocsFunctions.Page)),
        };

        await Check(new ListedFunctions(functions), requireByDefault: true).StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_function_marked_both_ways_in_another_assembly_stops_start_up_naming_it()
    {
        var functions = new ListedFunctions([Metadata("both", typeof(MarkedBothWaysFunction), nameof(MarkedBothWaysFunction.Run))]);

        var error = await Assert.ThrowsAsync<FunctionDeclarationException>(() => Check(functions, requireByDefault: false).StartAsync(CancellationToken.None));

        Assert.Equal("Function 'both' is marked both [RequireAccessToken] and [AllowAnonymousAccess].", error.Message);
    }

    [Fact]
    public async Task Every_function_that_cannot_be_honoured_is_named_in_the_one_error_that_stops_start_up()
    {
        var functions = new ListedFunctions(
        [
            Metadata("first", typeof(MarkedBothWaysFunction), nameof(MarkedBothWaysFunction.Run)),
            Metadata("public", typeof(ApiFunctions), nameof(ApiFunctions.Public)),
            Metadata("second", typeof(MarkedBothWaysFunction), nameof(MarkedBothWaysFunction.Run)),
        ]);

        var error = await Assert.ThrowsAsync<FunctionDeclarationException>(() => Check(functions, requireByDefault: false).StartAsync(CancellationToken.None));

        Assert.Equal(
            "Function 'first' is marked both [RequireAccessToken] and [AllowAnonymousAccess]. "
            + "Function 'second' is marked both [RequireAccessToken] and [AllowAnonymousAccess].",
            error.Message);
    }

    // Either setting, alone, names the directory the worker loads the functions from.
    [Theory]
    [InlineData("FUNCTIONS_APPLICATION_DIRECTORY")]
    [InlineData("FUNCTIONS_WORKER_DIRECTORY")]
    public async Task The_functions_checked_are_those_of_the_directory_the_worker_loads_them_from(string setting)
    {
        var functions = new ListedFunctions([Metadata("both", typeof(MarkedBothWaysFunction), nameof(MarkedBothWaysFunction.Run))]);

        await Assert.ThrowsAsync<FunctionDeclarationException>(
            () => Check(functions, requireByDefault: false, directorySetting: setting).StartAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_function_whose_method_is_missing_stops_start_up()
    {
        var missing = new DefaultFunctionMetadata { Name = "lost", EntryPoint = "Library.Lost.Run", ScriptFile = "Library.dll" };

        var error = await Assert.ThrowsAsync<FunctionDeclarationException>(
            () => Check(new ListedFunctions([missing]), requireByDefault: false).StartAsync(CancellationToken.None));

        Assert.StartsWith("Function 'lost': its method Library.Lost.Run could not be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_list_that_cannot_be_read_leaves_the_check_to_each_call_and_says_so()
    {
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();

        await Check(new UnreadableFunctions(), requireByDefault: true, loggers).StartAsync(CancellationToken.None);

        var line = Assert.Single(logs.Lines, l => l.Level == LogLevel.Warning);
        Assert.StartsWith("Could not list the app's functions at start-up (FileNotFoundException)", line.Message, StringComparison.Ordinal);
    }

    internal static ProtectedFunctionsCheck Check(
        IFunctionMetadataProvider metadata, bool requireByDefault, ILoggerFactory? loggers = null, string directorySetting = "FUNCTIONS_APPLICATION_DIRECTORY") =>
        new(
            new ProtectedFunctions(requireByDefault),
            metadata,
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [directorySetting] = AppDirectory }).Build(),
            (loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<ProtectedFunctionsCheck>());

    // Script files are relative to the app's folder, as the SDK writes them into functions.metadata.
    internal static DefaultFunctionMetadata Metadata(string name, Type type, string method) => new()
    {
        Name = name,
        EntryPoint = TestFunctionContext.EntryPointOf(type, method),
        ScriptFile = Path.GetRelativePath(AppDirectory, type.Assembly.Location),
    };

    // Lists the functions of the app's directory only, so that a check that looks elsewhere finds none.
    internal sealed class ListedFunctions(IFunctionMetadata[] functions) : IFunctionMetadataProvider
    {
        public Task<ImmutableArray<IFunctionMetadata>> GetFunctionMetadataAsync(string directory) =>
            Task.FromResult(directory == AppDirectory ? functions.ToImmutableArray() : []);
    }

    private sealed class UnreadableFunctions : IFunctionMetadataProvider
    {
        public Task<ImmutableArray<IFunctionMetadata>> GetFunctionMetadataAsync(string directory) =>
            Task.FromException<ImmutableArray<IFunctionMetadata>>(new FileNotFoundException("functions.metadata"));
    }
}
