using Layan.Features.Accounts;
using Layan.Features.Channels;
using Layan.Features.DevMail;
using Layan.Features.Inbox;
using Layan.Features.Onboarding;
using Layan.Features.Operator;
using Layan.Features.Tickets;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.DataProtection;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Events;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Localization;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Sms;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddClock();
builder.AddStorage();
builder.AddFileStore();
builder.AddDatabase();
builder.AddLayanDataProtection();
builder.AddAudit();
builder.AddOutbox();
builder.AddDueWork();
builder.AddEmail();
builder.AddSms();
builder.AddEvents();
builder.AddLayanLocalization();
builder.AddNetwork();
builder.AddErrorHandling();
builder.AddRateLimits();
builder.AddApiDocs();
builder.AddWebUi();
builder.AddDevMail();
builder.AddAccounts();
builder.AddOperator();
builder.AddOnboarding();
builder.AddInbox();
builder.AddTickets();
builder.AddChannels();

var app = builder.Build();

if (await app.RunCommandAsync(args))
{
    return;
}

app.UseNetwork();
app.UseSecurityHeaders();
app.UseErrorHandling();
app.UseCors(); // after routing (in UseErrorHandling), before rate limits: a 429 to the widget carries CORS headers
app.UseLayanLocalization();
app.UseAccounts();
app.UseOperatorAudit();
app.UseRateLimits();
app.UseWebUi();

app.MapHealth();
app.MapApiDocs();
app.MapLocalization();
app.MapAccounts();
app.MapOnboarding();
app.MapInbox();
app.MapTickets();
app.MapChannels();
app.MapWebUi();

await app.RunAsync();
