"""MLflow runs as provenance, without touching the training code.
pip install 'provgraph[mlflow]'

    python examples/mlflow_example.py

The interceptor watches the tracking store the code already uses (here MLflow's default,
sqlite:///mlflow.db in the current directory) and records every finished run as a task:
params as inputs, the last value of each metric and the logged artifacts as outputs.
"""

import mlflow

from capture import Flowcept


def train(lr: float, epochs: int) -> None:
    with mlflow.start_run(run_name=f"lr-{lr}"):
        mlflow.log_params({"lr": lr, "epochs": epochs})
        loss = 1.0
        for epoch in range(epochs):
            loss *= 1 - lr
            mlflow.log_metric("loss", loss, step=epoch)
        with open("model.txt", "w") as handle:
            handle.write(f"weights trained with lr={lr}\n")
        mlflow.log_artifact("model.txt", artifact_path="model")


if __name__ == "__main__":
    mlflow.set_experiment("provgraph-example")
    with Flowcept("mlflow", workflow_name="mlflow_example"):
        for lr in (0.1, 0.5):
            train(lr, epochs=3)
    # The block ends once the last run is stored.
    for run in sorted(Flowcept.db.task_query({"subtype": "mlflow_run"}),
                      key=lambda t: t["activity_id"]):
        loss = run["generated"]["loss"]
        artifacts = [k for k in run["generated"] if k.startswith("artifact:")]
        print(f"{run['activity_id']}: used {run['used']}, loss {loss:.3f}, {artifacts}")
