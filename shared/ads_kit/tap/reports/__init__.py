"""The report layer raw and unified report streams share: windows, the slice cache, synchronous
reads and async jobs (several in flight, split on failure by dates, then campaigns, then metrics,
resumed from state), failed windows kept in state, dead-lettered and read first next run.

* ``slices``: a report slice as stored in state, how a failed one is split, how pieces join.
* ``reads``: ``ReportReads``, what a platform supplies per report and account.
* ``reader``: ``ReportReader`` and its ``Reading`` (one stream's reads of one account).
"""
