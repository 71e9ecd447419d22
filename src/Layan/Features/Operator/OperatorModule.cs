using Microsoft.AspNetCore.Authorization;

namespace Layan.Features.Operator;

/// <summary>Marker for the operator console's strings (OperatorResource.*.resx).</summary>
internal sealed class OperatorResource;

internal static class OperatorModule
{
    public static WebApplicationBuilder AddOperator(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OperatorOptions>().Bind(builder.Configuration.GetSection(OperatorOptions.Section));
        services.AddScoped<OperatorStaff>();
        services.AddScoped<OperatorBootstrap>();
        services.AddScoped<IAuthorizationHandler, OperatorRoleHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(OperatorPolicies.Reviewers, p => p.RequireAuthenticatedUser().AddRequirements(new OperatorRoleRequirement(OperatorRoles.Admin, OperatorRoles.Reviewer)))
            .AddPolicy(OperatorPolicies.Admins, p => p.RequireAuthenticatedUser().AddRequirements(new OperatorRoleRequirement(OperatorRoles.Admin)))
            .AddPolicy(OperatorPolicies.Staff, p => p.RequireAuthenticatedUser().AddRequirements(new OperatorRoleRequirement([.. OperatorRoles.All])));
        services.AddHostedService<OperatorBootstrapOnStartup>();
        return builder;
    }
}
