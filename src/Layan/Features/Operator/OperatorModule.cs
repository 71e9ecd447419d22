using System.Security.Claims;
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

    /// <summary>
    /// Every request an operator makes under <c>/operator</c> or <c>/api/v1/operator</c> that was
    /// allowed is written to the audit log (who, what, when, from where), after it is answered.
    /// </summary>
    public static WebApplication UseOperatorAudit(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/operator") || context.Request.Path.StartsWithSegments("/api/v1/operator"),
            branch => branch.Use(async (context, next) =>
            {
                await next(context);
                if (context.Response.StatusCode < 400 &&
                    context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } actor)
                {
                    await context.RequestServices.GetRequiredService<Infrastructure.Audit.AuditLog>().RecordNowAsync(
                        "operator.request", context.Request.Path + context.Request.QueryString, context.Request.Method, actor, context.RequestAborted);
                }
            }));
        return app;
    }
}
