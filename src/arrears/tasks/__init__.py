"""Work that runs on Celery workers when ARREARS_TASKS=celery, and in this process otherwise.

`app` is the Celery application (`celery -A arrears.tasks.app worker`); `cycle` holds the daily
cycle's tasks and `run_date` that makes one business date a chord; `jobs` the other heavy work (outreach
sends, the dialer and bureau exports, KPIs, scoring) and `run`, the one door that sends a job to a worker or
runs it here. Nothing here imports Celery on the default path.
"""
