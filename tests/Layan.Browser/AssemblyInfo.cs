// One Chromium test at a time: each class runs its own Layan and browser, and on two cores classes
// running side by side starved each other into timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
