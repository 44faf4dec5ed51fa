"""Dask tasks as provenance, without touching the tasks.  pip install 'provgraph[dask]'

    python examples/dask_example.py

Every task the cluster runs becomes a task message (its Dask key as task id, the
function's name, its arguments bound to parameter names, its result, the worker), and
the Dask graph's dependencies become lineage in the store.
"""

from distributed import Client, LocalCluster

from capture import Flowcept


def add(x, y):
    return x + y


def multiply(x, factor=2):
    return x * factor


def total(values):
    return sum(values)


if __name__ == "__main__":  # worker processes re-import this file
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        with Flowcept("dask", dask_client=client, workflow_name="dask_example"):
            sums = client.map(add, [1, 2, 3], [10, 20, 30])
            doubled = [client.submit(multiply, s) for s in sums]
            result = client.submit(total, doubled)
            print("total:", result.result())
        # The block ends once every worker's messages are stored.
        [stored] = Flowcept.db.task_query({"task_id": result.key})
        print(f"{stored['activity_id']}: used {stored['used']}, "
              f"generated {stored['generated']}, on {stored['address']}")
        upstream = {node["id"] for node in Flowcept.db.upstream(result.key, depth=2)}
        names = sorted({t["activity_id"] for t in Flowcept.db.get_tasks_from_current_workflow()
                        if t["task_id"] in upstream})
        print("derived from tasks:", ", ".join(names))
