namespace Layan.Infrastructure.Tenancy;

/// <summary>Marks an entity owned by one workspace. Such entities are filtered to the current
/// workspace on every query and may only be written inside it.</summary>
internal interface IWorkspaceOwned
{
    Guid WorkspaceId { get; set; }
}

/// <summary>
/// The workspace the current request, circuit or job acts in (scoped). Set once per scope by
/// whoever knows it (sign-in, a job's row); operator pages may bypass the tenant filter only
/// through <see cref="BypassForOperatorAsync"/>, which is written to the audit log.
/// </summary>
internal sealed class TenantContext
{
    private int _bypassDepth;

    public Guid? WorkspaceId { get; private set; }

    public bool IsBypassed => _bypassDepth > 0;

    /// <summary>Enters a workspace. A scope acts in one workspace; switching is a bug.</summary>
    public void Enter(Guid workspaceId)
    {
        if (WorkspaceId is { } current && current != workspaceId)
        {
            throw new InvalidOperationException("This scope already acts in another workspace.");
        }
        WorkspaceId = workspaceId;
    }

    /// <summary>
    /// Lifts the workspace filter until the returned handle is disposed. The actor and the reason
    /// are written to the audit log at once, before anything is read, whether or not the caller
    /// ever saves.
    /// </summary>
    public async Task<IDisposable> BypassForOperatorAsync(
        Audit.AuditLog audit, string actorId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actorId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        await audit.RecordNowAsync("tenancy.bypass", "workspaces", reason, actorId, cancellationToken);
        _bypassDepth++;
        return new Release(this);
    }

    private sealed class Release(TenantContext owner) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            owner._bypassDepth--;
        }
    }
}

/// <summary>Thrown when code tries to write a row of a workspace other than the current one.</summary>
internal sealed class CrossTenantWriteException(string message) : InvalidOperationException(message);
