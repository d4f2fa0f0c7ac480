using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FunctionApp.Benchmarks;
using FunctionApp.TestHost.Hosting;

// dotnet run -c Release --project FunctionApp.Benchmarks -- [micro|concurrent|memory|e2e|sidebyside|dpop|dpop-micro|dpop-e2e|replay|compare|all] [--dry]
//   compare takes [--before <built app folder>] [--after <built app folder>]
var dry = args.Contains("--dry");
string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a != Value("--before") && a != Value("--after")) ?? "all";

if (what is "micro" or "all")
{
    // In process: the validator under test needs no separately built copy of the app.
    var job = (dry ? Job.Dry : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
    BenchmarkRunner.Run<TokenValidationBenchmarks>(DefaultConfig.Instance.AddJob(job));
}

if (what is "concurrent" or "all")
{
    await ConcurrentValidationBenchmark.RunAsync(dry ? ConcurrentValidationBenchmark.Sizes.Dry : ConcurrentValidationBenchmark.Sizes.Full, Console.Out);
}

if (what is "memory" or "all")
{
    await VerifiedTokenMemoryBenchmark.RunAsync(dry ? VerifiedTokenMemoryBenchmark.Sizes.Dry : VerifiedTokenMemoryBenchmark.Sizes.Full, Console.Out);
}

if (what is "e2e" or "all")
{
    await EndToEndBenchmark.RunAsync(dry ? EndToEndBenchmark.Sizes.Dry : EndToEndBenchmark.Sizes.Full, Console.Out);
}

if (what is "sidebyside" or "all")
{
    await SideBySideBenchmark.RunAsync(dry ? SideBySideBenchmark.Sizes.Dry : SideBySideBenchmark.Sizes.Full, Console.Out);
}

if (what is "dpop" or "dpop-micro" or "all")
{
    // Exactly as many invocations per iteration as proofs minted before it (DPoPValidationBenchmarks): no proof is taken twice.
    var job = (dry ? Job.Dry : Job.Default.WithInvocationCount(DPoPValidationBenchmarks.ProofsPerIteration).WithUnrollFactor(1))
        .WithToolchain(InProcessEmitToolchain.Instance);
    BenchmarkRunner.Run<DPoPValidationBenchmarks>(DefaultConfig.Instance.AddJob(job));
}

if (what is "dpop" or "dpop-e2e" or "all")
{
    await DPoPEndToEndBenchmark.RunAsync(dry ? DPoPEndToEndBenchmark.Sizes.Dry : DPoPEndToEndBenchmark.Sizes.Full, Console.Out);
}

if (what is "replay" or "all")
{
    await DPoPReplayStoreBenchmark.RunAsync(dry ? DPoPReplayStoreBenchmark.Sizes.Dry : DPoPReplayStoreBenchmark.Sizes.Full, Console.Out);
}

if (what is "compare" or "all")
{
    // Without folders, the app this project was built with against itself: how far two runs of one build differ.
    var before = Value("--before") ?? FunctionsHostOptions.DefaultAppDirectory;
    var after = Value("--after") ?? FunctionsHostOptions.DefaultAppDirectory;
    await BuildComparisonBenchmark.RunAsync(dry ? BuildComparisonBenchmark.Sizes.Dry : BuildComparisonBenchmark.Sizes.Full, before, after, Console.Out);
}
