using System.Reflection;
using System.Text.Json;
using FunctionApp.Tests.Support;

namespace FunctionApp.Tests.Infra;

/// <summary>infra/ compiles and lints with no warning, and the template says what docs/deployment.md and azure.yaml rely on.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BicepTests
{
    private static readonly string Bicep = typeof(BicepTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;

    private static Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        // NuGet does not always keep the executable bit of a packaged tool.
        File.SetUnixFileMode(Bicep, File.GetUnixFileMode(Bicep) | UnixFileMode.UserExecute);
        return ToolProcess.RunAsync(Bicep, arguments, RepositoryFiles.PathOf("infra"));
    }

    [Fact]
    public async Task Main_template_compiles_without_warnings()
    {
        var (exitCode, _, errors) = await RunAsync("build", "main.bicep", "--stdout");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, errors.Trim());
    }

    [Fact]
    public async Task Replay_store_module_compiles_without_warnings()
    {
        var (exitCode, _, errors) = await RunAsync("build", "modules/replay-store.bicep", "--stdout");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, errors.Trim());
    }

    [Theory]
    [InlineData("main.bicep")]
    [InlineData("modules/replay-store.bicep")]
    [InlineData("main.example.bicepparam")]
    public async Task Lint_finds_nothing(string file)
    {
        var (exitCode, output, errors) = await RunAsync("lint", file);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, (output + errors).Trim());
    }

    [Fact]
    public async Task Example_parameters_compile_against_the_template()
    {
        var (exitCode, _, errors) = await RunAsync("build-params", "main.example.bicepparam", "--stdout");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, errors.Trim());
    }

    // Compiled once for the assertions on its content: each compile costs seconds of a shared CPU.
    private static readonly Lazy<Task<JsonElement>> Compiled = new(CompileAsync);

    private static Task<JsonElement> CompiledTemplateAsync() => Compiled.Value;

    private static async Task<JsonElement> CompileAsync()
    {
        var (exitCode, output, errors) = await RunAsync("build", "main.bicep", "--stdout");
        Assert.True(exitCode == 0, errors);
        using var template = JsonDocument.Parse(output);
        return template.RootElement.Clone();
    }

    private static JsonElement Resource(JsonElement template, string type) => Resources(template, type).Single();

    private static IEnumerable<JsonElement> Resources(JsonElement template, string type) => template.GetProperty("resources")
        .EnumerateArray().Where(r => r.GetProperty("type").GetString() == type);

    // The expression a template variable stands for, given an expression that only names it.
    private static string Resolve(JsonElement template, string expression) =>
        expression.StartsWith("[variables('", StringComparison.Ordinal)
            ? template.GetProperty("variables").GetProperty(expression["[variables('".Length..^"')]".Length]).GetString()!
            : expression;

    private static Dictionary<string, string> AppSettings(JsonElement template) =>
        Resource(template, "Microsoft.Web/sites").GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings")
            .EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").GetString()!);

    [Fact]
    public async Task Template_deploys_a_locked_down_flex_consumption_app_for_dotnet_10_isolated()
    {
        var template = await CompiledTemplateAsync();

        var plan = Resource(template, "Microsoft.Web/serverfarms");
        var site = Resource(template, "Microsoft.Web/sites").GetProperty("properties");
        var storage = Resource(template, "Microsoft.Storage/storageAccounts").GetProperty("properties");
        var ftp = Resource(template, "Microsoft.Web/sites/basicPublishingCredentialsPolicies").GetProperty("properties");

        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.True(site.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.GetProperty("siteConfig").GetProperty("minTlsVersion").GetString());
        Assert.Equal("Disabled", site.GetProperty("siteConfig").GetProperty("ftpsState").GetString());
        Assert.False(ftp.GetProperty("allow").GetBoolean());
        Assert.Equal("dotnet-isolated", site.GetProperty("functionAppConfig").GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", site.GetProperty("functionAppConfig").GetProperty("runtime").GetProperty("version").GetString());
        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());
    }

    [Fact]
    public async Task App_reaches_its_storage_with_its_user_assigned_identity_only()
    {
        var template = await CompiledTemplateAsync();
        var site = Resource(template, "Microsoft.Web/sites");
        var deploymentStorage = site.GetProperty("properties").GetProperty("functionAppConfig").GetProperty("deployment")
            .GetProperty("storage").GetProperty("authentication");
        var settings = AppSettings(template);

        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities",
            Assert.Single(site.GetProperty("identity").GetProperty("userAssignedIdentities").EnumerateObject()).Name, StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", deploymentStorage.GetProperty("type").GetString());
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities",
            deploymentStorage.GetProperty("userAssignedIdentityResourceId").GetString(), StringComparison.Ordinal);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.EndsWith(".clientId]", settings["AzureWebJobsStorage__clientId"], StringComparison.Ordinal);
        Assert.DoesNotContain(settings.Keys, name => name is "AzureWebJobsStorage" or "APPINSIGHTS_INSTRUMENTATIONKEY");
    }

    [Fact]
    public async Task Telemetry_goes_to_a_workspace_based_component_that_accepts_only_entra_tokens()
    {
        var template = await CompiledTemplateAsync();
        var workspace = Resource(template, "Microsoft.OperationalInsights/workspaces").GetProperty("properties");
        var component = Resource(template, "Microsoft.Insights/components");

        Assert.True(workspace.GetProperty("features").GetProperty("disableLocalAuth").GetBoolean());
        Assert.Equal("web", component.GetProperty("kind").GetString());
        Assert.True(component.GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
        Assert.StartsWith("[resourceId('Microsoft.OperationalInsights/workspaces'",
            component.GetProperty("properties").GetProperty("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_identity_may_publish_telemetry_to_the_component_and_nowhere_else()
    {
        var template = await CompiledTemplateAsync();

        var publisher = Assert.Single(Resources(template, "Microsoft.Authorization/roleAssignments"), r =>
            Resolve(template, r.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!)
                .Contains("'3913510d-42f4-4e42-8a64-420c390055eb'", StringComparison.Ordinal));

        Assert.StartsWith("[resourceId('Microsoft.Insights/components'", publisher.GetProperty("scope").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities'",
            publisher.GetProperty("properties").GetProperty("principalId").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(".principalId]", publisher.GetProperty("properties").GetProperty("principalId").GetString(), StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", publisher.GetProperty("properties").GetProperty("principalType").GetString());
    }

    [Fact]
    public async Task App_settings_name_the_component_and_its_identity_and_keep_the_Auth0_names()
    {
        var settings = AppSettings(await CompiledTemplateAsync());

        Assert.StartsWith("[reference(resourceId('Microsoft.Insights/components'", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
        Assert.EndsWith(".ConnectionString]", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
        Assert.StartsWith("[format('Authorization=AAD;ClientId={0}', reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities'",
            settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.Equal(
            ["Auth0__Domain", "Auth0__ApiAudience", "Auth0__Issuer", "Auth0__Algorithms", "Auth0__ErrorContract",
                "Auth0__DPoPMode", "Auth0__DPoPNonceSecret", "Auth0__DPoPPublicBaseUrl", "Auth0__DPoPReplayStore",
                "Auth0__DPoPReplayRedis", "Auth0__DPoPReplayRedisIdentity", "Auth0__DPoPReplayRedisIdentityClientId"],
            settings.Keys.Where(name => name.StartsWith("Auth0__", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Always_ready_http_instances_are_none_unless_asked_for()
    {
        var template = await CompiledTemplateAsync();
        var parameter = template.GetProperty("parameters").GetProperty("httpAlwaysReadyInstanceCount");
        var alwaysReady = Resource(template, "Microsoft.Web/sites").GetProperty("properties").GetProperty("functionAppConfig")
            .GetProperty("scaleAndConcurrency").GetProperty("alwaysReady").GetString();

        Assert.Equal(0, parameter.GetProperty("defaultValue").GetInt32());
        Assert.Equal(
            "[if(equals(parameters('httpAlwaysReadyInstanceCount'), 0), createArray(), "
            + "createArray(createObject('name', 'http', 'instanceCount', parameters('httpAlwaysReadyInstanceCount'))))]",
            alwaysReady);
    }

    [Fact]
    public async Task Azd_deploys_service_api_to_the_one_site_tagged_with_it()
    {
        var template = await CompiledTemplateAsync();
        var project = RepositoryFiles.Read("azure.yaml").ReplaceLineEndings("\n");

        Assert.Contains("services:\n  api:\n    project: ./FunctionApp\n    language: dotnet\n    host: function\n", project, StringComparison.Ordinal);
        Assert.Equal("[union(variables('tags'), createObject('azd-service-name', 'api'))]",
            Resource(template, "Microsoft.Web/sites").GetProperty("tags").GetString());
        Assert.All(
            template.GetProperty("resources").EnumerateArray().Where(r => r.TryGetProperty("location", out _) && r.GetProperty("type").GetString() != "Microsoft.Web/sites"),
            r => Assert.Equal("[variables('tags')]", r.GetProperty("tags").GetString()));
    }

    [Fact]
    public async Task Azd_parameters_map_environment_values_to_template_parameters_and_cover_every_required_one()
    {
        var template = await CompiledTemplateAsync();
        var templateParameters = template.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        using var file = JsonDocument.Parse(RepositoryFiles.Read("infra/main.parameters.json"));
        var values = file.RootElement.GetProperty("parameters").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("value").GetString()!);

        Assert.All(values, v => Assert.True(templateParameters.ContainsKey(v.Key), v.Key + " is not a template parameter"));
        Assert.All(values.Values, value => Assert.Matches("^\\$\\{[A-Z0-9_]+\\}$", value));
        Assert.Equal("${AZURE_ENV_NAME}", values["environmentName"]);
        Assert.Equal("${AZURE_LOCATION}", values["location"]);
        Assert.Equal("${AUTH0_DOMAIN}", values["auth0Domain"]);
        Assert.Equal("${AUTH0_API_AUDIENCE}", values["auth0ApiAudience"]);
        Assert.Equal("${AUTH0_DPOP_REPLAY_STORE}", values["auth0DPoPReplayStore"]);
        Assert.All(
            templateParameters.Where(p => !p.Value.TryGetProperty("defaultValue", out _)),
            p => Assert.Contains(p.Key, values.Keys));
    }

    // The module's deployment, and the template it deploys.
    private static (JsonElement Deployment, JsonElement Template) ReplayStore(JsonElement template)
    {
        var deployment = Assert.Single(Resources(template, "Microsoft.Resources/deployments"), d => d.GetProperty("name").GetString() == "replay-store");
        return (deployment, deployment.GetProperty("properties").GetProperty("template"));
    }

    [Fact]
    public async Task The_shared_replay_store_is_deployed_only_when_the_parameter_says_Redis_and_is_off_by_default()
    {
        var template = await CompiledTemplateAsync();
        var parameter = template.GetProperty("parameters").GetProperty("auth0DPoPReplayStore");

        Assert.Equal("Memory", parameter.GetProperty("defaultValue").GetString());
        Assert.Equal(["Memory", "Redis"], parameter.GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("[equals(parameters('auth0DPoPReplayStore'), 'Redis')]",
            Resolve(template, ReplayStore(template).Deployment.GetProperty("condition").GetString()!));
    }

    [Fact]
    public async Task The_replay_store_is_the_smallest_Azure_Managed_Redis_with_access_keys_off_and_TLS_only()
    {
        var (deployment, module) = ReplayStore(await CompiledTemplateAsync());
        var cluster = Resource(module, "Microsoft.Cache/redisEnterprise");
        var database = Resource(module, "Microsoft.Cache/redisEnterprise/databases").GetProperty("properties");

        Assert.Equal("Balanced_B0", Resolve(module, cluster.GetProperty("sku").GetProperty("name").GetString()!));
        Assert.Equal("1.2", cluster.GetProperty("properties").GetProperty("minimumTlsVersion").GetString());
        Assert.Equal("Encrypted", database.GetProperty("clientProtocol").GetString());
        Assert.Equal("Disabled", database.GetProperty("accessKeysAuthentication").GetString());
        Assert.Equal("NoEviction", database.GetProperty("evictionPolicy").GetString());
        Assert.Equal("[parameters('tags')]", cluster.GetProperty("tags").GetString());
        Assert.Equal("[variables('tags')]", deployment.GetProperty("properties").GetProperty("parameters").GetProperty("tags").GetProperty("value").GetString());
    }

    [Fact]
    public async Task The_app_identity_and_nobody_else_may_read_and_write_the_replay_store()
    {
        var (deployment, module) = ReplayStore(await CompiledTemplateAsync());
        var access = Resource(module, "Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments").GetProperty("properties");
        var principal = deployment.GetProperty("properties").GetProperty("parameters").GetProperty("principalId").GetProperty("value").GetString()!;

        Assert.Equal("default", access.GetProperty("accessPolicyName").GetString());
        Assert.Equal("[parameters('principalId')]", access.GetProperty("user").GetProperty("objectId").GetString());
        Assert.StartsWith("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities'", principal, StringComparison.Ordinal);
        Assert.EndsWith(".principalId]", principal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_shared_store_the_app_reaches_Redis_over_TLS_as_its_identity_with_no_key_anywhere()
    {
        var template = await CompiledTemplateAsync();
        var settings = AppSettings(template);
        var (_, module) = ReplayStore(template);

        Assert.Equal("[parameters('auth0DPoPReplayStore')]", settings["Auth0__DPoPReplayStore"]);
        Assert.Equal("[if(variables('sharedReplayStore'), reference(resourceId('Microsoft.Resources/deployments', 'replay-store'), '2025-04-01').outputs.configuration.value, '')]",
            settings["Auth0__DPoPReplayRedis"]);
        Assert.Equal("[if(variables('sharedReplayStore'), 'ManagedIdentity', 'None')]", settings["Auth0__DPoPReplayRedisIdentity"]);
        Assert.StartsWith("[if(variables('sharedReplayStore'), reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities'",
            settings["Auth0__DPoPReplayRedisIdentityClientId"], StringComparison.Ordinal);
        Assert.EndsWith(".clientId, '')]", settings["Auth0__DPoPReplayRedisIdentityClientId"], StringComparison.Ordinal);
        Assert.Equal(
            "[format('{0}:{1},ssl=True', reference(resourceId('Microsoft.Cache/redisEnterprise', parameters('name')), '2025-07-01').hostName, "
            + "reference(resourceId('Microsoft.Cache/redisEnterprise/databases', parameters('name'), 'default'), '2025-07-01').port)]",
            module.GetProperty("outputs").GetProperty("configuration").GetProperty("value").GetString());
        Assert.DoesNotContain("listKeys", template.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("password", template.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }
}
