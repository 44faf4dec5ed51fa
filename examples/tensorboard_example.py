"""TensorBoard runs as provenance, without touching the logging code.
pip install 'provgraph[tensorboard]'

    python examples/tensorboard_example.py

The interceptor watches a log directory: each run (a directory holding event files) is a
task, its hyperparameters the inputs, the last value and point count of each scalar
series and the event file the outputs. Any writer works (torch.utils.tensorboard,
tensorboardX, tf.summary); this example uses TensorBoard's own light writer, so it needs
neither TensorFlow nor PyTorch.
"""

import time

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.hparams import summary_v2 as hparams
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from capture import Flowcept


def train(log_dir: str, lr: float, steps: int) -> None:
    writer = EventFileWriter(log_dir)
    writer.add_event(event_pb2.Event(wall_time=time.time(),
                                     summary=hparams.hparams_pb({"lr": lr, "steps": steps})))
    loss = 1.0
    for step in range(steps):
        loss *= 1 - lr
        value = summary_pb2.Summary.Value(tag="train/loss", simple_value=loss)
        writer.add_event(event_pb2.Event(wall_time=time.time(), step=step,
                                         summary=summary_pb2.Summary(value=[value])))
    writer.close()


if __name__ == "__main__":
    with Flowcept("tensorboard", tensorboard_log_dir="runs", workflow_name="tb_example"):
        for lr in (0.1, 0.3):
            train(f"runs/lr-{lr}", lr, steps=5)
    for run in sorted(Flowcept.db.task_query({"subtype": "tensorboard_run"}),
                      key=lambda t: t["activity_id"]):
        generated = run["generated"]
        print(f"{run['activity_id']}: used {run['used']}, train/loss "
              f"{generated['train/loss']} over {generated['scalar_points']['train/loss']} "
              f"points, from {generated['event_file'].rsplit('/', 1)[-1]}")
