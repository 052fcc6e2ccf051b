"""Diffusion and flow matching as a Keras model: a network that learns to undo noise, trained by ``fit``.

:class:`Diffusion` holds one network (:func:`~aigc_helpers.diffusion.networks.build_unet`) and trains
it on one of two objectives, with the same short ``train_step``: draw a time t and noise eps for every
image, mix them into x_t in closed form, predict, and minimise the squared error.

- ``objective="flow"`` (flow matching / rectified flow): x_t = (1 - t) x0 + t eps, the network predicts
  the velocity eps - x0; sampling integrates that velocity from t = 1 to t = 0 (Euler or Heun).
- ``objective="eps"`` (DDPM, Ho et al., 2020): x_t = sqrt(alpha_bar) x0 + sqrt(1 - alpha_bar) eps, the
  network predicts the noise eps; sampling uses DDIM.

:class:`ConditionalDiffusion` also reads a class label, dropped to a "null" label for a share of the
training images so that the same network learns the unconditional prediction too, which
classifier-free guidance needs. Generation follows the course's one interface
(:class:`aigc_helpers.generation.Generative`): the code z is the starting noise image (latent_dim = 784
for 28x28 images), and ``decode`` runs the sampler from it, so the same z always gives the same image.

Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from aigc_helpers.assets import deserialize_networks, load_model
from aigc_helpers.checks import check_choice, check_int, check_number, check_positive_int
from aigc_helpers.diffusion.networks import build_unet
from aigc_helpers.diffusion.samplers import (
    SAMPLERS,
    classifier_free_guidance,
    ddim,
    euler,
    heun,
)
from aigc_helpers.diffusion.schedules import SCHEDULES, flow_path, flow_velocity, q_sample
from aigc_helpers.generation import MAX_BATCH, Generative, split_batch

OBJECTIVES: tuple[str, ...] = ("flow", "eps")
DEFAULT_SAMPLER = {"flow": "heun", "eps": "ddim"}

__all__ = ["OBJECTIVES", "ConditionalDiffusion", "Diffusion", "load_diffusion"]


@keras.saving.register_keras_serializable(package="aigc_helpers")
class Diffusion(Generative, keras.Model):
    """A diffusion (``objective="eps"``) or flow-matching (``objective="flow"``) model trained by ``fit``.

    Args:
        network: maps [x_t, t] (and a label for :class:`ConditionalDiffusion`) to a prediction of x_t's
            shape; default :func:`build_unet` for 28x28x1 images. A network for points
            (:func:`build_toy_network`) makes a model of 2-D toy data.
        objective: ``"flow"`` (predict the velocity eps - x0 on the straight path) or ``"eps"``
            (predict the noise of the DDPM forward process).
        schedule: the variance schedule of ``objective="eps"``: ``"cosine"`` (default) or ``"linear"``;
            the flow objective's straight path has none.
        sampler: how ``generate`` and ``decode`` sample: ``"heun"`` (default for flow) or ``"euler"``
            for the flow objective, ``"ddim"`` for the eps objective.
        steps: sampler steps ``generate`` uses (default 20; see :func:`~aigc_helpers.diffusion.nfe`
            for the network evaluations they cost).
        guidance: classifier-free guidance scale of a :class:`ConditionalDiffusion` (default 1.0:
            the plain conditional model); an unconditional model takes none.
        label_dropout: share of training labels replaced by the null label (a
            :class:`ConditionalDiffusion` only; default 0.1).
        seed: seed of the model's own noise (times and noise of each training batch).

    Train on images scaled to [-1, 1], shape (B, 28, 28, 1) -- :func:`aigc_helpers.data.gan_dataset`
    gives exactly that. ``fit`` reports ``loss``, the mean squared error of the prediction. Generated
    images are mapped back to [0, 1], (n, 28, 28); a model of points returns (n, dim) points.

    Example:
        >>> model = Diffusion(objective="flow", seed=0)  # doctest: +SKIP
        >>> model.compile(optimizer=keras.optimizers.Adam(1e-3))  # doctest: +SKIP
        >>> model.fit(data.gan_dataset(x_train, batch_size=128), epochs=5)  # doctest: +SKIP
        >>> images = model.generate(16, seed=0)  # 20 Heun steps, 39 network evaluations  # doctest: +SKIP
        >>> rough = model.sample(16, steps=5, sampler="euler", seed=0)  # doctest: +SKIP

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
    """

    conditional = False
    #: rows per network call while sampling. A guided step evaluates twice as many rows as it has
    #: images; splitting them keeps sampling's memory bounded (under 2 GB for the pixel U-Net).
    EVAL_BATCH = 250

    def __init__(
        self,
        network: keras.Model | None = None,
        *,
        objective: str = "flow",
        schedule: str | None = None,
        sampler: str | None = None,
        steps: int = 20,
        guidance: float | None = None,
        label_dropout: float | None = None,
        num_classes: int | None = None,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.objective = check_choice("objective", objective, OBJECTIVES)
        if objective == "flow" and schedule is not None:
            raise ValueError(
                "the flow objective uses the straight path x_t = (1 - t) x0 + t eps, which has no "
                "variance schedule. Fix: drop schedule=, or use objective='eps'."
            )
        self.schedule = None  # the flow path has none
        if objective == "eps":
            self.schedule = check_choice("schedule", schedule or "cosine", SCHEDULES)
        if self.conditional:
            self.num_classes = check_int(
                "num_classes", num_classes, minimum=2, fix="use 10 for MNIST digits."
            )
            self.guidance = self._check_guidance(1.0 if guidance is None else guidance)
            self.label_dropout = check_number(
                "label_dropout",
                0.1 if label_dropout is None else label_dropout,
                minimum=0,
                maximum=1,
                fix="use 0.1 (one label in ten dropped) or 0 (no guidance later).",
            )
        else:
            if num_classes is not None:
                raise ValueError(
                    f"a {name} is unconditional. Fix: use ConditionalDiffusion(num_classes=...)."
                )
            if guidance is not None or label_dropout not in (None, 0, 0.0):
                raise ValueError(
                    f"guidance and label_dropout need class labels; this {name} is unconditional. "
                    "Fix: drop them, or use ConditionalDiffusion(num_classes=10)."
                )
            self.num_classes, self.guidance, self.label_dropout = None, None, 0.0
        self.network = network or build_unet(num_classes=self.num_classes)
        self._check_network(self.network)
        self.data_shape = tuple(int(d) for d in self.network.inputs[0].shape[1:])
        self.latent_dim = int(np.prod(self.data_shape))
        self.images = len(self.data_shape) == 3  # images in [-1, 1]; otherwise points
        self.sampler = self._check_sampler(sampler or DEFAULT_SAMPLER[objective])
        self.steps = self._check_steps(steps)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self._predict_graph = None
        self.built = True  # the network is built, so a loaded .keras file restores the optimizer

    # ---- checks
    def _check_network(self, network) -> None:
        wanted = 3 if self.conditional else 2
        if not isinstance(network, keras.Model) or len(network.inputs) != wanted:
            what = "[x_t, t, label]" if self.conditional else "[x_t, t]"
            fix = (
                f"build_unet(num_classes={self.num_classes})"
                if self.conditional
                else "build_unet() (or build_toy_network() for points)"
            )
            raise ValueError(
                f"a {type(self).__name__} needs a keras Model with the inputs {what}. Fix: use {fix}."
            )

    def _check_sampler(self, sampler: str) -> str:
        check_choice("sampler", sampler, SAMPLERS)
        if self.objective == "flow" and sampler == "ddim":
            raise ValueError(
                "DDIM samples a noise-prediction model; on the flow path it would take exactly the "
                "steps of Euler. Fix: use sampler='euler' or 'heun'."
            )
        if self.objective == "eps" and sampler != "ddim":
            raise ValueError(
                f"sampler {sampler!r} integrates a velocity, and this model predicts noise. "
                "Fix: use sampler='ddim' (the Euler method of the probability-flow ODE for noise "
                "predictions), or train with objective='flow'."
            )
        return sampler

    @staticmethod
    def _check_steps(steps: int) -> int:
        return check_positive_int("steps", steps, fix="use steps=20 or so (more: slower, finer).")

    def _check_guidance(self, guidance) -> float:
        if not self.conditional:
            raise ValueError(
                f"this {type(self).__name__} is unconditional, so there is nothing to guide towards. "
                "Fix: drop guidance=, or train a ConditionalDiffusion."
            )
        return check_number(
            "guidance", guidance, minimum=0, fix="use 1.0 (the conditional model) or e.g. 2.0."
        )

    def check_labels(self, labels, n: int) -> np.ndarray | None:
        if not self.conditional and labels is not None:
            raise ValueError(
                f"this {type(self).__name__} is unconditional, so it takes no labels. Fix: drop "
                "labels=, or train a ConditionalDiffusion(num_classes=10)."
            )
        return super().check_labels(labels, n)

    # ---- Keras plumbing
    @property
    def metrics(self):
        return [self.loss_tracker]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            network=keras.saving.serialize_keras_object(self.network),
            objective=self.objective,
            schedule=self.schedule,
            sampler=self.sampler,
            steps=self.steps,
            seed=self.seed,
        )
        if self.conditional:
            config.update(
                num_classes=self.num_classes,
                guidance=self.guidance,
                label_dropout=self.label_dropout,
            )
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**deserialize_networks(config, "network"))

    def build(self, input_shape=None):  # the network is built at construction
        self.built = True

    def get_build_config(self) -> dict:
        return {}

    def build_from_config(self, config: dict) -> None:
        self.built = True

    def call(self, inputs, training=False):
        """The network's prediction for ``inputs`` = [x_t, t] (or [x_t, t, labels])."""
        return self.network(inputs, training=training)

    # ---- the training step
    def train_step(self, data):
        x0, y = self._split(data, training=True)  # some labels dropped to the null label
        x_t, t, target = self._noisy(x0)
        with tf.GradientTape() as tape:
            prediction = self._predict(x_t, t, y, training=True)
            loss = tf.reduce_mean(tf.square(prediction - target))
        weights = self.network.trainable_variables
        grads = tape.gradient(loss, weights)
        self.optimizer.apply_gradients(zip(grads, weights, strict=True))
        self.loss_tracker.update_state(loss)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x0, y = self._split(data, training=False)
        x_t, t, target = self._noisy(x0)
        prediction = self._predict(x_t, t, y, training=False)
        self.loss_tracker.update_state(tf.reduce_mean(tf.square(prediction - target)))
        return {m.name: m.result() for m in self.metrics}

    # ---- the pieces the training step names
    def _split(self, data, training: bool):
        """(x0 as float32, labels or None); in training a share ``label_dropout`` of the labels
        becomes the null label ``num_classes``."""
        x, y = split_batch(data, self.conditional, type(self).__name__)
        x = tf.convert_to_tensor(x, tf.float32)
        if self.images and x.shape.rank == 3:
            x = x[..., None]
        if not self.conditional:
            return x, None
        y = tf.cast(y, tf.int32)
        if training and self.label_dropout > 0:
            drop = keras.random.uniform(tf.shape(y), seed=self.seed_generator) < self.label_dropout
            y = tf.where(drop, tf.fill(tf.shape(y), self.num_classes), y)
        return x, y

    def _noisy(self, x0):
        """(x_t, t, target): one time t ~ U(0, 1) and fresh noise per example, mixed in closed form."""
        t = keras.random.uniform(tf.shape(x0)[:1], seed=self.seed_generator)
        eps = keras.random.normal(tf.shape(x0), seed=self.seed_generator)
        if self.objective == "flow":
            return flow_path(x0, eps, t), t, flow_velocity(x0, eps)
        return q_sample(x0, t, eps, self.schedule), t, eps

    def _predict(self, x_t, t, y, training=False):
        return self.network([x_t, t] if y is None else [x_t, t, y], training=training)

    # ---- sampling
    def _graph(self):
        """The network as one traced TensorFlow function for any batch size (sampling calls it often)."""
        if self._predict_graph is None:
            specs = [
                tf.TensorSpec((None, *self.data_shape), tf.float32),
                tf.TensorSpec((None,), tf.float32),
            ]
            if self.conditional:
                specs.append(tf.TensorSpec((None,), tf.int32))
            self._predict_graph = tf.function(
                lambda *args: self.network(list(args), training=False), input_signature=specs
            )
        return self._predict_graph

    def _field(self, labels: np.ndarray | None, guidance: float | None):
        """fn(x, t) -> the network's prediction at time t as NumPy, guided when 0 < guidance != 1."""
        graph = self._graph()

        def net(*args) -> np.ndarray:  # at most EVAL_BATCH rows per call: bounded memory
            rows = len(args[0])
            parts = [
                graph(*(a[i : i + self.EVAL_BATCH] for a in args)).numpy()
                for i in range(0, rows, self.EVAL_BATCH)
            ]
            return parts[0] if len(parts) == 1 else np.concatenate(parts)

        def fn(x: np.ndarray, t: float) -> np.ndarray:
            n = len(x)
            ts = np.full(n, t, np.float32)
            if labels is None:
                return net(x, ts)
            null = np.full(n, self.num_classes, np.int32)
            if guidance == 1.0:
                return net(x, ts, labels)
            if guidance == 0.0:
                return net(x, ts, null)
            # guided: the conditional and the unconditional prediction in one doubled batch
            both = net(
                np.concatenate([x, x]), np.concatenate([ts, ts]), np.concatenate([labels, null])
            )
            return classifier_free_guidance(both[n:], both[:n], guidance)

        return fn

    def _run(self, z, labels, sampler, steps, guidance, trajectory=False) -> np.ndarray:
        """The sampler's end point (or every state) from the codes z, in the data's own range."""
        x = np.asarray(z, np.float32).reshape((-1, *self.data_shape))
        fn = self._field(labels, guidance)
        if sampler == "ddim":
            clip = 1.0 if self.images else None
            return ddim(
                fn, x, steps, schedule=self.schedule, clip_x0=clip, return_trajectory=trajectory
            )
        method = heun if sampler == "heun" else euler
        return method(fn, x, steps, return_trajectory=trajectory)

    def _output(self, x: np.ndarray) -> np.ndarray:
        """Images from [-1, 1] to [0, 1] (clipped), shape (..., 28, 28); points unchanged, float32."""
        x = np.asarray(x, np.float32)
        if not self.images:
            return x
        if x.shape[-1] == 1:  # grey images: drop the channel axis, as every course image does
            x = x[..., 0]
        return np.clip((x + 1.0) / 2.0, 0.0, 1.0)

    def _decode_batch(self, z, labels, seed):
        return self._output(self._run(z, labels, self.sampler, self.steps, self.guidance))

    def sample(
        self,
        n: int,
        *,
        labels=None,
        steps: int | None = None,
        sampler: str | None = None,
        guidance: float | None = None,
        seed: int | None = None,
        return_trajectory: bool = False,
    ) -> np.ndarray:
        """``n`` new images like :meth:`generate`, with explicit sampler settings (the model's stored
        ``steps``, ``sampler`` and ``guidance`` where None).

        With ``return_trajectory`` returns every state of the sampler, shape (steps + 1, n, 28, 28):
        from the noise (first) to the image (last), each mapped to [0, 1] like the images.

        Example:
            >>> model.sample(8, steps=10, sampler="euler", seed=0).shape  # doctest: +SKIP
            (8, 28, 28)
            >>> cmodel.sample(8, labels=3, guidance=2.0, seed=0).shape  # doctest: +SKIP
            (8, 28, 28)

        Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb, notebooks/18_latent_diffusion.ipynb
        """
        n = check_positive_int("n", n)
        z = self.sample_z(n, seed)
        y = self.check_labels(labels, n)
        sampler = self.sampler if sampler is None else self._check_sampler(sampler)
        steps = self.steps if steps is None else self._check_steps(steps)
        guidance = self.guidance if guidance is None else self._check_guidance(guidance)
        out = [
            self._output(
                self._run(
                    z[i : i + MAX_BATCH],
                    None if y is None else y[i : i + MAX_BATCH],
                    sampler,
                    steps,
                    guidance,
                    return_trajectory,
                )
            )
            for i in range(0, n, MAX_BATCH)
        ]
        return np.concatenate(out, axis=1 if return_trajectory else 0)


@keras.saving.register_keras_serializable(package="aigc_helpers")
class ConditionalDiffusion(Diffusion):
    """A :class:`Diffusion` whose network also reads a class label: batches are (images, labels).

    During training a share ``label_dropout`` (default 0.1) of the labels is replaced by the null label
    ``num_classes``, so the one network learns both the conditional and the unconditional prediction.
    ``generate(n, labels=3)`` then draws digits 3 with the stored ``guidance`` scale w: the prediction is
    uncond + w (cond - uncond) -- w = 1 the plain conditional model, w = 0 the unconditional one, w > 1
    samples that look more like their class and less varied (each step then evaluates the network on a
    doubled batch).

    Example:
        >>> cmodel = ConditionalDiffusion(num_classes=10, guidance=2.0, seed=0)  # doctest: +SKIP
        >>> cmodel.compile(optimizer=keras.optimizers.Adam(1e-3))  # doctest: +SKIP
        >>> cmodel.fit(data.gan_dataset(x_train, y_train, batch_size=128), epochs=5)  # doctest: +SKIP
        >>> sevens = cmodel.generate(8, labels=7, seed=0)  # doctest: +SKIP

    Taught in: notebooks/16_diffusion_math.ipynb, notebooks/17_diffusion_mnist.ipynb
    """

    conditional = True

    def __init__(self, network: keras.Model | None = None, *, num_classes: int = 10, **kwargs):
        super().__init__(network, num_classes=num_classes, **kwargs)


def load_diffusion(path) -> Diffusion:
    """Load a Diffusion or ConditionalDiffusion saved with ``model.save("name.keras")``
    (``safe_mode=True``); training can go on from where it stopped (the optimizer's state is kept).

    Example:
        >>> model = load_diffusion("runs/flow/final.keras")  # doctest: +SKIP

    Taught in: machinery behind the diffusion lessons (notebooks 16 to 18)
    """
    return load_model(path, Diffusion, "an aigc_helpers Diffusion model")
