namespace Layan.Features.Onboarding;

internal static class OnboardingModule
{
    public static WebApplicationBuilder AddOnboarding(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OnboardingOptions>().Bind(builder.Configuration.GetSection(OnboardingOptions.Section));
        services.AddScoped<RegionalRules>();
        services.AddScoped<Applications>();
        services.AddScoped<Reviews>();
        services.AddScoped<Activation>();
        services.AddScoped<SetupWizard>();
        services.AddSingleton<IPaymentProvider, TestPaymentProvider>();
        services.AddScoped<Workspaces.WorkspaceAccess>();
        services.AddScoped<Workspaces.Team>();
        services.AddScoped<Workspaces.Departments>();
        services.AddScoped<Workspaces.Entitlements>();
        services.AddScoped<Workspaces.Plans>();
        services.AddScoped<Workspaces.Revocation>();
        services.AddScoped<Workspaces.Catalog>();
        services.AddScoped<Workspaces.Settings>();
        services.AddScoped<Workspaces.WorkspaceAudit>();
        services.AddScoped<Realtime.EventLog>();
        services.AddScoped<Infrastructure.Work.IWorkHandler<Infrastructure.Jobs.DueWork>, Workspaces.PeriodEndHandler>();
        services.AddOptions<Workspaces.PlanOptions>().Bind(builder.Configuration.GetSection(Workspaces.PlanOptions.Section));
        return builder;
    }

    public static WebApplication MapOnboarding(this WebApplication app)
    {
        app.MapOnboardingEndpoints();
        Workspaces.WorkspaceEndpoints.MapWorkspaceEndpoints(app);
        Realtime.RealtimeEndpoints.MapRealtime(app);
        return app;
    }
}
