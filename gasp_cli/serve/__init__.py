"""`gasp serve`: the secretary's workbench in the browser (an optional extra: `pip install gasp-cli[serve]`).

`workbench` holds the state (last check, last render, who waits for news), `worker` the
long-lived process that runs `gasp render` on every change, `app` the web application, `forms`
what the entry forms show and write. Starlette, uvicorn and watchfiles
are imported only here, so that every other command stays as light as without them.
"""
