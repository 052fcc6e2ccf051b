"""The course's one reference list, and the corrections it makes to the source article's list.

Every paper, book, data set and tool the course cites is an entry of :data:`REFERENCES`, with its
authors, year, title and venue as published. ``docs/references.md`` is generated from it
(``python -m aigc_helpers references --write``) and notebook 15 renders it with :func:`references`, so the
two cannot drift apart (``tests/test_docs.py`` checks the file is up to date).

Only entries whose details are certain are listed. The source article's own list had wrong authors, years
and titles, and a book and a library that cannot be found; it also listed a book and online courses that
the course leaves out by choice. :data:`SEED_CORRECTIONS` records what was wrong and what replaced it.

Example:
    >>> from aigc_helpers import references
    >>> references.get("dcgan").cite()
    'Radford, Metz & Chintala (2015)'

Taught in: notebooks/15_faq_and_references.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass

#: Topic headings, in the order the list is printed.
TOPICS: tuple[str, ...] = (
    "Generative adversarial networks",
    "Variational autoencoders",
    "Measuring generative models",
    "Other generative model families",
    "Background: learning, optimization, information",
    "Data and software",
)


@dataclass(frozen=True)
class Reference:
    """One cited work.

    Attributes:
        key: short identifier used in the course (``"dcgan"``).
        authors: authors as ``"Surname, I."`` strings, in the published order.
        year: year of first public appearance (the arXiv year for papers that appeared there first);
            ``None`` for web pages without a date (printed "n.d.").
        title: the exact title.
        venue: where it appeared (journal, conference, publisher, or arXiv).
        link: an arXiv id (``arXiv:1511.06434``), a DOI (``doi:...``) or a URL; empty when none is certain.
        topic: one of :data:`TOPICS`.
        used_in: where the course uses it, in a few words.

    Example:
        >>> get("vae").year
        2013
    """

    key: str
    authors: tuple[str, ...]
    year: int | None
    title: str
    venue: str
    link: str
    topic: str
    used_in: str

    def surnames(self) -> list[str]:
        return [a.split(",")[0].strip() for a in self.authors]

    def cite(self) -> str:
        """Short in-text citation: ``Kingma & Welling (2013)``, ``Goodfellow et al. (2014)``.

        Example:
            >>> get("deep_learning_book").cite()
            'Goodfellow, Bengio & Courville (2016)'
        """
        names = self.surnames()
        if len(names) == 1:
            who = names[0]
        elif len(names) <= 3:
            who = ", ".join(names[:-1]) + " & " + names[-1]
        else:
            who = f"{names[0]} et al."
        return f"{who} ({self.year_text()})"

    def year_text(self) -> str:
        return "n.d." if self.year is None else str(self.year)

    def author_list(self) -> str:
        """All authors, APA-like: ``Radford, A., Metz, L., & Chintala, S.``"""
        if len(self.authors) == 1:
            return self.authors[0]
        return ", ".join(self.authors[:-1]) + ", & " + self.authors[-1]

    def url(self) -> str:
        """A clickable address for :attr:`link` (empty when there is none)."""
        if self.link.startswith("arXiv:"):
            return f"https://arxiv.org/abs/{self.link.removeprefix('arXiv:')}"
        if self.link.startswith("doi:"):
            return f"https://doi.org/{self.link.removeprefix('doi:')}"
        return self.link

    def markdown(self) -> str:
        """One list item in Markdown."""
        link = f" [{self.link}]({self.url()})" if self.link else ""
        stop = "" if self.title.endswith(("?", "!")) else "."
        return (
            f"- {self.author_list()} ({self.year_text()}). *{self.title}*{stop} {self.venue}.{link}"
            f" — {self.used_in}"
        )


def _r(key, authors, year, title, venue, link, topic, used_in) -> Reference:
    return Reference(key, tuple(authors), year, title, venue, link, TOPICS[topic], used_in)


REFERENCES: tuple[Reference, ...] = (
    # ---------------------------------------------------------------- GANs
    _r(
        "gan",
        [
            "Goodfellow, I.",
            "Pouget-Abadie, J.",
            "Mirza, M.",
            "Xu, B.",
            "Warde-Farley, D.",
            "Ozair, S.",
            "Courville, A.",
            "Bengio, Y.",
        ],
        2014,
        "Generative Adversarial Nets",
        "Advances in Neural Information Processing Systems 27 (NIPS 2014)",
        "arXiv:1406.2661",
        0,
        "the GAN, its minimax game and the optimal discriminator (notebooks 02–05)",
    ),
    _r(
        "dcgan",
        ["Radford, A.", "Metz, L.", "Chintala, S."],
        2015,
        "Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2016",
        "arXiv:1511.06434",
        0,
        "the DCGAN architecture and training settings (notebook 05)",
    ),
    _r(
        "cgan",
        ["Mirza, M.", "Osindero, S."],
        2014,
        "Conditional Generative Adversarial Nets",
        "arXiv preprint",
        "arXiv:1411.1784",
        0,
        "label-conditioned generation (the conditional models of the business mock-ups)",
    ),
    _r(
        "improved_gan",
        ["Salimans, T.", "Goodfellow, I.", "Zaremba, W.", "Cheung, V.", "Radford, A.", "Chen, X."],
        2016,
        "Improved Techniques for Training GANs",
        "Advances in Neural Information Processing Systems 29 (NIPS 2016)",
        "arXiv:1606.03498",
        0,
        "one-sided label smoothing (`gan.discriminator_loss`) and the Inception Score (notebook 05)",
    ),
    _r(
        "gan_tutorial",
        ["Goodfellow, I."],
        2016,
        "NIPS 2016 Tutorial: Generative Adversarial Networks",
        "arXiv preprint",
        "arXiv:1701.00160",
        0,
        "the non-saturating generator loss explained; further reading for notebooks 03–05",
    ),
    _r(
        "principled_gan",
        ["Arjovsky, M.", "Bottou, L."],
        2017,
        "Towards Principled Methods for Training Generative Adversarial Networks",
        "International Conference on Learning Representations (ICLR) 2017",
        "arXiv:1701.04862",
        0,
        "why the minimax generator loss saturates and GAN training is unstable (notebook 04)",
    ),
    _r(
        "wgan",
        ["Arjovsky, M.", "Chintala, S.", "Bottou, L."],
        2017,
        "Wasserstein Generative Adversarial Networks",
        "International Conference on Machine Learning (ICML) 2017",
        "arXiv:1701.07875",
        0,
        "the Wasserstein distance as a GAN objective (further reading for notebook 04)",
    ),
    _r(
        "wgan_gp",
        ["Gulrajani, I.", "Ahmed, F.", "Arjovsky, M.", "Dumoulin, V.", "Courville, A."],
        2017,
        "Improved Training of Wasserstein GANs",
        "Advances in Neural Information Processing Systems 30 (NIPS 2017)",
        "arXiv:1704.00028",
        0,
        "the gradient penalty (further reading for notebook 04)",
    ),
    _r(
        "unrolled_gan",
        ["Metz, L.", "Poole, B.", "Pfau, D.", "Sohl-Dickstein, J."],
        2016,
        "Unrolled Generative Adversarial Networks",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2017",
        "arXiv:1611.02163",
        0,
        "mode collapse on a mixture of Gaussians (notebook 03; FAQ in notebook 15)",
    ),
    _r(
        "r1",
        ["Mescheder, L.", "Geiger, A.", "Nowozin, S."],
        2018,
        "Which Training Methods for GANs do actually Converge?",
        "International Conference on Machine Learning (ICML) 2018",
        "arXiv:1801.04406",
        0,
        "the R1 gradient penalty on real data (stabilizing the discriminator)",
    ),
    _r(
        "spectral_norm",
        ["Miyato, T.", "Kataoka, T.", "Koyama, M.", "Yoshida, Y."],
        2018,
        "Spectral Normalization for Generative Adversarial Networks",
        "International Conference on Learning Representations (ICLR) 2018",
        "arXiv:1802.05957",
        0,
        "stabilizing the discriminator",
    ),
    _r(
        "projection_discriminator",
        ["Miyato, T.", "Koyama, M."],
        2018,
        "cGANs with Projection Discriminator",
        "International Conference on Learning Representations (ICLR) 2018",
        "arXiv:1802.05637",
        0,
        "the conditional and self-conditioned GANs' discriminator (notebook 05)",
    ),
    _r(
        "self_conditioned_gan",
        ["Liu, S.", "Wang, T.", "Bau, D.", "Zhu, J.-Y.", "Torralba, A."],
        2020,
        "Diverse Image Generation via Self-Conditioned GANs",
        "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR) 2020",
        "arXiv:2006.10728",
        0,
        "k-means clusters as pseudo-labels for the discriminator (notebook 05, benchmarks/dcgan.py)",
    ),
    _r(
        "biggan",
        ["Brock, A.", "Donahue, J.", "Simonyan, K."],
        2018,
        "Large Scale GAN Training for High Fidelity Natural Image Synthesis",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2019",
        "arXiv:1809.11096",
        0,
        "BigGAN: what GANs reach at scale (the timeline of notebook 01)",
    ),
    _r(
        "stylegan",
        ["Karras, T.", "Laine, S.", "Aila, T."],
        2018,
        "A Style-Based Generator Architecture for Generative Adversarial Networks",
        "arXiv preprint; IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR) 2019",
        "arXiv:1812.04948",
        0,
        "StyleGAN (the timeline of notebook 01)",
    ),
    _r(
        "stylegan2",
        ["Karras, T.", "Laine, S.", "Aittala, M.", "Hellsten, J.", "Lehtinen, J.", "Aila, T."],
        2019,
        "Analyzing and Improving the Image Quality of StyleGAN",
        "arXiv preprint; IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR) 2020",
        "arXiv:1912.04958",
        0,
        "StyleGAN2 (the timeline of notebook 01)",
    ),
    _r(
        "diffaugment",
        ["Zhao, S.", "Liu, Z.", "Lin, J.", "Zhu, J.-Y.", "Han, S."],
        2020,
        "Differentiable Augmentation for Data-Efficient GAN Training",
        "Advances in Neural Information Processing Systems 33 (NeurIPS 2020)",
        "arXiv:2006.10738",
        0,
        "training a GAN on little data",
    ),
    _r(
        "white2016",
        ["White, T."],
        2016,
        "Sampling Generative Networks",
        "arXiv preprint",
        "arXiv:1609.04468",
        0,
        "slerp between Gaussian latent codes of GANs and VAEs (notebook 12)",
    ),
    # ---------------------------------------------------------------- VAEs
    _r(
        "vae",
        ["Kingma, D. P.", "Welling, M."],
        2013,
        "Auto-Encoding Variational Bayes",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2014",
        "arXiv:1312.6114",
        1,
        "the VAE, the ELBO and the reparameterization trick (notebooks 02, 06–08)",
    ),
    _r(
        "rezende2014",
        ["Rezende, D. J.", "Mohamed, S.", "Wierstra, D."],
        2014,
        "Stochastic Backpropagation and Approximate Inference in Deep Generative Models",
        "International Conference on Machine Learning (ICML) 2014",
        "arXiv:1401.4082",
        1,
        "the same model, published independently at the same time (notebook 07)",
    ),
    _r(
        "vae_intro",
        ["Kingma, D. P.", "Welling, M."],
        2019,
        "An Introduction to Variational Autoencoders",
        "Foundations and Trends in Machine Learning 12(4)",
        "arXiv:1906.02691",
        1,
        "further reading on everything in notebooks 06–08",
    ),
    _r(
        "iwae",
        ["Burda, Y.", "Grosse, R.", "Salakhutdinov, R."],
        2015,
        "Importance Weighted Autoencoders",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2016",
        "arXiv:1509.00519",
        1,
        "the importance-weighted likelihood bound (IW-NLL) we report (notebooks 07, 08)",
    ),
    _r(
        "pixelvae",
        [
            "Gulrajani, I.",
            "Kumar, K.",
            "Ahmed, F.",
            "Taiga, A. A.",
            "Visin, F.",
            "Vazquez, D.",
            "Courville, A.",
        ],
        2016,
        "PixelVAE: A Latent Variable Model for Natural Images",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2017",
        "arXiv:1611.05013",
        1,
        "the pixel-context (autoregressive) decoder of our VAE (notebook 08, benchmarks/vae.py)",
    ),
    _r(
        "beta_vae",
        [
            "Higgins, I.",
            "Matthey, L.",
            "Pal, A.",
            "Burgess, C.",
            "Glorot, X.",
            "Botvinick, M.",
            "Mohamed, S.",
            "Lerchner, A.",
        ],
        2017,
        "β-VAE: Learning Basic Visual Concepts with a Constrained Variational Framework",
        "International Conference on Learning Representations (ICLR) 2017",
        "",
        1,
        "β, the weight of the KL term (the source article's λ) (notebooks 06, 07)",
    ),
    _r(
        "cvae",
        ["Sohn, K.", "Lee, H.", "Yan, X."],
        2015,
        "Learning Structured Output Representation using Deep Conditional Generative Models",
        "Advances in Neural Information Processing Systems 28 (NIPS 2015)",
        "",
        1,
        "the conditional VAE shipped for the business mock-ups (`vae.ConditionalVAE`)",
    ),
    _r(
        "broken_elbo",
        [
            "Alemi, A. A.",
            "Poole, B.",
            "Fischer, I.",
            "Dillon, J. V.",
            "Saurous, R. A.",
            "Murphy, K.",
        ],
        2017,
        "Fixing a Broken ELBO",
        "arXiv preprint; International Conference on Machine Learning (ICML) 2018",
        "arXiv:1711.00464",
        1,
        "rate and distortion, the two terms of the ELBO (notebook 07)",
    ),
    _r(
        "posterior_collapse",
        [
            "Bowman, S. R.",
            "Vilnis, L.",
            "Vinyals, O.",
            "Dai, A. M.",
            "Jozefowicz, R.",
            "Bengio, S.",
        ],
        2015,
        "Generating Sentences from a Continuous Space",
        "arXiv preprint; Conference on Computational Natural Language Learning (CoNLL) 2016",
        "arXiv:1511.06349",
        1,
        "posterior collapse: a KL term that drops to zero",
    ),
    _r(
        "vae_gan",
        ["Larsen, A. B. L.", "Sønderby, S. K.", "Larochelle, H.", "Winther, O."],
        2015,
        "Autoencoding beyond pixels using a learned similarity metric",
        "arXiv preprint; International Conference on Machine Learning (ICML) 2016",
        "arXiv:1512.09300",
        1,
        "why pixel-wise likelihoods give blurry samples, and a VAE–GAN hybrid (notebooks 02, 15)",
    ),
    # ---------------------------------------------------------------- evaluation
    _r(
        "fid",
        ["Heusel, M.", "Ramsauer, H.", "Unterthiner, T.", "Nessler, B.", "Hochreiter, S."],
        2017,
        "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium",
        "Advances in Neural Information Processing Systems 30 (NIPS 2017)",
        "arXiv:1706.08500",
        2,
        "the Fréchet distance (our cFID) and the two time-scale update rule (notebook 05)",
    ),
    _r(
        "precision_recall",
        ["Kynkäänniemi, T.", "Karras, T.", "Laine, S.", "Lehtinen, J.", "Aila, T."],
        2019,
        "Improved Precision and Recall Metric for Assessing Generative Models",
        "Advances in Neural Information Processing Systems 32 (NeurIPS 2019)",
        "arXiv:1904.06991",
        2,
        "k-NN precision and recall of samples (notebook 05)",
    ),
    _r(
        "pr_sajjadi",
        ["Sajjadi, M. S. M.", "Bachem, O.", "Lucic, M.", "Bousquet, O.", "Gelly, S."],
        2018,
        "Assessing Generative Models via Precision and Recall",
        "Advances in Neural Information Processing Systems 31 (NeurIPS 2018)",
        "arXiv:1806.00035",
        2,
        "quality and coverage as two separate numbers (notebook 05)",
    ),
    _r(
        "gans_equal",
        ["Lucic, M.", "Kurach, K.", "Michalski, M.", "Gelly, S.", "Bousquet, O."],
        2017,
        "Are GANs Created Equal? A Large-Scale Study",
        "arXiv preprint; Advances in Neural Information Processing Systems 31 (NeurIPS 2018)",
        "arXiv:1711.10337",
        2,
        "why comparisons need equal budgets and several seeds (`benchmarks/`)",
    ),
    _r(
        "theis2016",
        ["Theis, L.", "van den Oord, A.", "Bethge, M."],
        2015,
        "A note on the evaluation of generative models",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2016",
        "arXiv:1511.01844",
        2,
        "likelihood and sample quality can disagree (notebooks 02, 15)",
    ),
    _r(
        "esteban2017",
        ["Esteban, C.", "Hyland, S. L.", "Rätsch, G."],
        2017,
        "Real-valued (Medical) Time Series Generation with Recurrent Conditional GANs",
        "arXiv preprint",
        "arXiv:1706.02633",
        2,
        "train on synthetic, test on real (TSTR), the utility test of synthetic records (notebook 13)",
    ),
    _r(
        "membership_inference",
        ["Shokri, R.", "Stronati, M.", "Song, C.", "Shmatikov, V."],
        2016,
        "Membership Inference Attacks against Machine Learning Models",
        "arXiv preprint; IEEE Symposium on Security and Privacy (S&P) 2017",
        "arXiv:1610.05820",
        2,
        "membership inference: was this record in the training data? (notebooks 13, 14)",
    ),
    # ---------------------------------------------------------------- other families
    _r(
        "pixelrnn",
        ["van den Oord, A.", "Kalchbrenner, N.", "Kavukcuoglu, K."],
        2016,
        "Pixel Recurrent Neural Networks",
        "International Conference on Machine Learning (ICML) 2016",
        "arXiv:1601.06759",
        3,
        "autoregressive image models (notebooks 01, 15)",
    ),
    _r(
        "realnvp",
        ["Dinh, L.", "Sohl-Dickstein, J.", "Bengio, S."],
        2016,
        "Density estimation using Real NVP",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2017",
        "arXiv:1605.08803",
        3,
        "normalizing flows (notebooks 01, 15)",
    ),
    _r(
        "diffusion2015",
        ["Sohl-Dickstein, J.", "Weiss, E.", "Maheswaranathan, N.", "Ganguli, S."],
        2015,
        "Deep Unsupervised Learning using Nonequilibrium Thermodynamics",
        "International Conference on Machine Learning (ICML) 2015",
        "arXiv:1503.03585",
        3,
        "the first diffusion model (notebooks 01, 16)",
    ),
    _r(
        "ddpm",
        ["Ho, J.", "Jain, A.", "Abbeel, P."],
        2020,
        "Denoising Diffusion Probabilistic Models",
        "Advances in Neural Information Processing Systems 33 (NeurIPS 2020)",
        "arXiv:2006.11239",
        3,
        "diffusion models, behind most of today's image generators (notebooks 01, 15, 16)",
    ),
    _r(
        "diffusion_beat_gans",
        ["Dhariwal, P.", "Nichol, A."],
        2021,
        "Diffusion Models Beat GANs on Image Synthesis",
        "Advances in Neural Information Processing Systems 34 (NeurIPS 2021)",
        "arXiv:2105.05233",
        3,
        "diffusion models overtaking GANs on sample quality (notebook 15, Q12)",
    ),
    _r(
        "latent_diffusion",
        ["Rombach, R.", "Blattmann, A.", "Lorenz, D.", "Esser, P.", "Ommer, B."],
        2021,
        "High-Resolution Image Synthesis with Latent Diffusion Models",
        "arXiv preprint; IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR) 2022",
        "arXiv:2112.10752",
        3,
        "latent diffusion, the basis of Stable Diffusion (the timeline of notebook 01; notebook 18)",
    ),
    _r(
        "ddim",
        ["Song, J.", "Meng, C.", "Ermon, S."],
        2020,
        "Denoising Diffusion Implicit Models",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2021",
        "arXiv:2010.02502",
        3,
        "the deterministic DDIM sampler (notebook 16)",
    ),
    _r(
        "score_sde",
        ["Song, Y.", "Sohl-Dickstein, J.", "Kingma, D. P.", "Kumar, A.", "Ermon, S.", "Poole, B."],
        2020,
        "Score-Based Generative Modeling through Stochastic Differential Equations",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2021",
        "arXiv:2011.13456",
        3,
        "the probability-flow ODE (notebook 16)",
    ),
    _r(
        "improved_ddpm",
        ["Nichol, A.", "Dhariwal, P."],
        2021,
        "Improved Denoising Diffusion Probabilistic Models",
        "International Conference on Machine Learning (ICML) 2021",
        "arXiv:2102.09672",
        3,
        "the cosine noise schedule (notebook 16)",
    ),
    _r(
        "edm",
        ["Karras, T.", "Aittala, M.", "Aila, T.", "Laine, S."],
        2022,
        "Elucidating the Design Space of Diffusion-Based Generative Models",
        "Advances in Neural Information Processing Systems 35 (NeurIPS 2022)",
        "arXiv:2206.00364",
        3,
        "Heun's method as a diffusion sampler (notebooks 16 to 18)",
    ),
    _r(
        "flow_matching",
        ["Lipman, Y.", "Chen, R. T. Q.", "Ben-Hamu, H.", "Nickel, M.", "Le, M."],
        2022,
        "Flow Matching for Generative Modeling",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2023",
        "arXiv:2210.02747",
        3,
        "flow matching (notebooks 16 to 18)",
    ),
    _r(
        "rectified_flow",
        ["Liu, X.", "Gong, C.", "Liu, Q."],
        2022,
        "Flow Straight and Fast: Learning to Generate and Transfer Data with Rectified Flow",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2023",
        "arXiv:2209.03003",
        3,
        "rectified flow, the straight path of flow matching (notebooks 16 to 18)",
    ),
    _r(
        "cfg",
        ["Ho, J.", "Salimans, T."],
        2022,
        "Classifier-Free Diffusion Guidance",
        "arXiv preprint; NeurIPS 2021 Workshop on Deep Generative Models and Downstream Applications",
        "arXiv:2207.12598",
        3,
        "classifier-free guidance (notebooks 16 to 18)",
    ),
    _r(
        "tweedie",
        ["Efron, B."],
        2011,
        "Tweedie's Formula and Selection Bias",
        "Journal of the American Statistical Association 106(496)",
        "doi:10.1198/jasa.2011.tm11181",
        3,
        "Tweedie's formula, the denoiser as a score (notebook 16)",
    ),
    _r(
        "transformer",
        [
            "Vaswani, A.",
            "Shazeer, N.",
            "Parmar, N.",
            "Uszkoreit, J.",
            "Jones, L.",
            "Gomez, A. N.",
            "Kaiser, Ł.",
            "Polosukhin, I.",
        ],
        2017,
        "Attention Is All You Need",
        "Advances in Neural Information Processing Systems 30 (NIPS 2017)",
        "arXiv:1706.03762",
        3,
        "the transformer, behind today's text generators (notebooks 01, 15)",
    ),
    _r(
        "extracting_diffusion",
        [
            "Carlini, N.",
            "Hayes, J.",
            "Nasr, M.",
            "Jagielski, M.",
            "Sehwag, V.",
            "Tramèr, F.",
            "Balle, B.",
            "Ippolito, D.",
            "Wallace, E.",
        ],
        2023,
        "Extracting Training Data from Diffusion Models",
        "USENIX Security Symposium 2023",
        "arXiv:2301.13188",
        2,
        "generative models can memorize training images (notebook 14, privacy)",
    ),
    # ---------------------------------------------------------------- background
    _r(
        "deep_learning_book",
        ["Goodfellow, I.", "Bengio, Y.", "Courville, A."],
        2016,
        "Deep Learning",
        "MIT Press",
        "https://www.deeplearningbook.org",
        4,
        "background: chapter 20 covers deep generative models",
    ),
    _r(
        "vi_review",
        ["Blei, D. M.", "Kucukelbir, A.", "McAuliffe, J. D."],
        2016,
        "Variational Inference: A Review for Statisticians",
        "arXiv preprint; Journal of the American Statistical Association 112(518), 2017",
        "arXiv:1601.00670",
        4,
        "variational inference, the idea behind the ELBO (notebook 07)",
    ),
    _r(
        "kl1951",
        ["Kullback, S.", "Leibler, R. A."],
        1951,
        "On Information and Sufficiency",
        "The Annals of Mathematical Statistics 22(1)",
        "doi:10.1214/aoms/1177729694",
        4,
        "the KL divergence (notebooks 04, 07)",
    ),
    _r(
        "reinforce",
        ["Williams, R. J."],
        1992,
        "Simple Statistical Gradient-Following Algorithms for Connectionist Reinforcement Learning",
        "Machine Learning 8(3–4)",
        "doi:10.1007/BF00992696",
        4,
        "the score-function (REINFORCE) gradient, compared with reparameterization (notebook 07)",
    ),
    _r(
        "adam",
        ["Kingma, D. P.", "Ba, J."],
        2014,
        "Adam: A Method for Stochastic Optimization",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2015",
        "arXiv:1412.6980",
        4,
        "the optimizer of every model in the course",
    ),
    _r(
        "batchnorm",
        ["Ioffe, S.", "Szegedy, C."],
        2015,
        "Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift",
        "International Conference on Machine Learning (ICML) 2015",
        "arXiv:1502.03167",
        4,
        "batch normalization in the DCGAN (notebook 05)",
    ),
    _r(
        "energy_nlp",
        ["Strubell, E.", "Ganesh, A.", "McCallum, A."],
        2019,
        "Energy and Policy Considerations for Deep Learning in NLP",
        "Annual Meeting of the Association for Computational Linguistics (ACL) 2019",
        "arXiv:1906.02243",
        4,
        "the energy cost of training (notebook 14)",
    ),
    _r(
        "thompson1933",
        ["Thompson, W. R."],
        1933,
        "On the Likelihood that One Unknown Probability Exceeds Another in View of the Evidence of Two "
        "Samples",
        "Biometrika 25(3/4)",
        "doi:10.2307/2332286",
        4,
        "Thompson sampling, the bandit policy of the marketing mock-up (notebook 10)",
    ),
    _r(
        "shoemake1985",
        ["Shoemake, K."],
        1985,
        "Animating rotation with quaternion curves",
        "SIGGRAPH '85 (ACM SIGGRAPH Computer Graphics 19(3))",
        "doi:10.1145/325165.325242",
        4,
        "slerp, spherical linear interpolation (notebook 12)",
    ),
    _r(
        "bits_back",
        ["Hinton, G. E.", "van Camp, D."],
        1993,
        "Keeping the neural networks simple by minimizing the description length of the weights",
        "Sixth Annual Conference on Computational Learning Theory (COLT '93)",
        "doi:10.1145/168304.168306",
        4,
        "bits-back coding: the KL term is the cost of sending the latent code (notebooks 07, 08)",
    ),
    _r(
        "bits_back_ans",
        ["Townsend, J.", "Bird, T.", "Barber, D."],
        2019,
        "Practical Lossless Compression with Latent Variables using Bits Back Coding",
        "arXiv preprint; International Conference on Learning Representations (ICLR) 2019",
        "arXiv:1901.04866",
        4,
        "a VAE turned into a working lossless compressor with bits-back coding (notebook 08)",
    ),
    _r(
        "dp_sgd",
        [
            "Abadi, M.",
            "Chu, A.",
            "Goodfellow, I.",
            "McMahan, H. B.",
            "Mironov, I.",
            "Talwar, K.",
            "Zhang, L.",
        ],
        2016,
        "Deep Learning with Differential Privacy",
        "arXiv preprint; ACM Conference on Computer and Communications Security (CCS) 2016",
        "arXiv:1607.00133",
        4,
        "DP-SGD, training with differential privacy (notebook 13)",
    ),
    # ---------------------------------------------------------------- data and software
    _r(
        "lenet",
        ["LeCun, Y.", "Bottou, L.", "Bengio, Y.", "Haffner, P."],
        1998,
        "Gradient-Based Learning Applied to Document Recognition",
        "Proceedings of the IEEE 86(11)",
        "doi:10.1109/5.726791",
        5,
        "the paper that describes MNIST (every MNIST notebook)",
    ),
    _r(
        "mnist",
        ["LeCun, Y.", "Cortes, C.", "Burges, C. J. C."],
        None,
        "The MNIST database of handwritten digits",
        "data set (licence: CC BY-SA 3.0)",
        "",
        5,
        "the course's images; `python -m aigc_helpers check-data` verifies your copy",
    ),
    _r(
        "wdbc",
        ["Street, W. N.", "Wolberg, W. H.", "Mangasarian, O. L."],
        1993,
        "Nuclear feature extraction for breast tumor diagnosis",
        "Proceedings of SPIE 1905, Biomedical Image Processing and Biomedical Visualization",
        "doi:10.1117/12.148698",
        5,
        "the breast-cancer Wisconsin (diagnostic) data of the healthcare mock-up, shipped with "
        "scikit-learn (notebook 13)",
    ),
    _r(
        "tensorflow",
        [
            "Abadi, M.",
            "Barham, P.",
            "Chen, J.",
            "Chen, Z.",
            "Davis, A.",
            "Dean, J.",
            "Devin, M.",
            "Ghemawat, S.",
            "Irving, G.",
            "Isard, M.",
            "Kudlur, M.",
            "Levenberg, J.",
            "Monga, R.",
            "Moore, S.",
            "Murray, D. G.",
            "Steiner, B.",
            "Tucker, P.",
            "Vasudevan, V.",
            "Warden, P.",
            "Wicke, M.",
            "Yu, Y.",
            "Zheng, X.",
        ],
        2016,
        "TensorFlow: A System for Large-Scale Machine Learning",
        "USENIX Symposium on Operating Systems Design and Implementation (OSDI) 2016",
        "arXiv:1605.08695",
        5,
        "the framework the course runs on, with Keras 3 (https://keras.io)",
    ),
    _r(
        "tf_dcgan_tutorial",
        ["TensorFlow authors"],
        None,
        "Deep Convolutional Generative Adversarial Network (tutorial)",
        "tensorflow.org tutorials",
        "https://www.tensorflow.org/tutorials/generative/dcgan",
        5,
        "the reference GAN our DCGAN is benchmarked against (`benchmarks/`)",
    ),
    _r(
        "tf_cvae_tutorial",
        ["TensorFlow authors"],
        None,
        "Convolutional Variational Autoencoder (tutorial)",
        "tensorflow.org tutorials",
        "https://www.tensorflow.org/tutorials/generative/cvae",
        5,
        "the reference VAE our VAE is benchmarked against (`benchmarks/vae.py`)",
    ),
    _r(
        "keras_io_ddim",
        ["Béres, A."],
        2022,
        "Denoising Diffusion Implicit Models (Keras code example)",
        "keras.io code examples",
        "https://keras.io/examples/generative/ddim/",
        5,
        "the reference diffusion model the course's latent flow is benchmarked against (`benchmarks/diffusion.py`)",
    ),
    _r(
        "c2pa",
        ["Coalition for Content Provenance and Authenticity (C2PA)"],
        None,
        "C2PA Technical Specification",
        "technical specification, c2pa.org",
        "https://c2pa.org/specifications/",
        5,
        "signed content credentials that record where a file came from (notebook 14)",
    ),
)

_BY_KEY = {r.key: r for r in REFERENCES}


@dataclass(frozen=True)
class Correction:
    """One item of the source article's reading list, and what the course does with it."""

    seed_said: str
    verdict: str
    key: str | None  # the correct entry in REFERENCES, or None when the item was dropped


#: The source article's reading list, item by item (its own words in ``seed_said``).
SEED_CORRECTIONS: tuple[Correction, ...] = (
    Correction(
        '"Unsupervised Representation Learning with Deep Convolutional Generative Adversarial '
        'Networks" by Irwan, et al. (2017)',
        "wrong authors and year: Radford, Metz & Chintala, 2015",
        "dcgan",
    ),
    Correction(
        '"Variational Autoencoders" by D.P. Kingma and M.W. Bulla (2014)',
        'wrong title and co-author: "Auto-Encoding Variational Bayes", Kingma & Welling, 2013 (ICLR 2014)',
        "vae",
    ),
    Correction(
        '"BigGAN: Large-Scale GAN Training for High-Quality Image Synthesis" by Huang, et al. (2018)',
        'wrong authors and title: "Large Scale GAN Training for High Fidelity Natural Image Synthesis", '
        "Brock, Donahue & Simonyan, 2018",
        "biggan",
    ),
    Correction(
        '"StyleGAN2: Efficient Image Synthesis with Style-Based Generative Adversarial Networks" '
        "by Karras, et al. (2020)",
        'wrong title: "Analyzing and Improving the Image Quality of StyleGAN"; dated 2019 here, the '
        "year of its first version on arXiv (CVPR 2020)",
        "stylegan2",
    ),
    Correction(
        '"Deep Learning" by Ilya Sutskever, Yann LeCun and Geoffrey Hinton',
        "wrong authors: Goodfellow, Bengio & Courville, MIT Press, 2016 (the article's second list had it right)",
        "deep_learning_book",
    ),
    Correction(
        '"Generative Adversarial Nets" by I. Goodfellow et al. (2014)',
        "correct",
        "gan",
    ),
    Correction(
        '"Variational Inference: A Review for Statisticians" by Blei et al. (2017)',
        "correct, but dated 2016 here: the year of its first version on arXiv (the journal article is "
        "from 2017)",
        "vi_review",
    ),
    Correction(
        '"Generative Models: GANs, VAEs, and Beyond" by Shao-Lan Wang (2021)',
        "dropped: no such book could be verified",
        None,
    ),
    Correction(
        '"Reinforcement Learning: An Introduction" by Sutton & Barto',
        "dropped: a real book, but the course does not use reinforcement learning",
        None,
    ),
    Correction(
        'Online courses: "Deep Learning Specialization" (Coursera), "Generative Adversarial Networks '
        '(GANs) with TensorFlow" (Udacity), "Introduction to Variational Autoencoders" (edX)',
        "dropped by choice: the list keeps to papers and textbooks, which stay as published, while "
        "online courses are revised over time; courses such as DeepLearning.AI's Deep Learning "
        "Specialization and its Generative Adversarial Networks (GANs) Specialization (Coursera) are "
        "good companions to this one",
        None,
    ),
    Correction(
        '"GANlib", a library for GAN research',
        "dropped: no such library could be verified",
        None,
    ),
    Correction(
        "Keras described as running on TensorFlow and Theano",
        "out of date: Keras 3 runs on TensorFlow, JAX or PyTorch; Theano is no longer developed",
        "tensorflow",
    ),
)


def get(key: str) -> Reference:
    """The reference with this key; an unknown key raises ``KeyError`` listing the valid ones.

    Example:
        >>> get("biggan").title
        'Large Scale GAN Training for High Fidelity Natural Image Synthesis'
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"No reference {key!r}. Valid keys: {', '.join(sorted(_BY_KEY))}.") from None


def references(topic: str | None = None):
    """The reference list as a pandas DataFrame (one row per work), optionally for one topic.

    Example:
        >>> references("Variational autoencoders").loc["vae", "cite"]  # doctest: +SKIP
        'Kingma & Welling (2013)'
    """
    import pandas as pd

    if topic is not None and topic not in TOPICS:
        raise ValueError(f"Unknown topic {topic!r}; choose from: {'; '.join(TOPICS)}.")
    rows = [
        {
            "key": r.key,
            "cite": r.cite(),
            "title": r.title,
            "venue": r.venue,
            "link": r.url(),
            "topic": r.topic,
            "used for": r.used_in,
        }
        for r in REFERENCES
        if topic is None or r.topic == topic
    ]
    return pd.DataFrame(rows).set_index("key")


def corrections():
    """The source article's reading list beside what the course cites instead (a DataFrame).

    Example:
        >>> corrections().shape[1]  # doctest: +SKIP
        3
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "the source article listed": c.seed_said,
                "verdict": c.verdict,
                "the course cites": get(c.key).cite() if c.key else "—",
            }
            for c in SEED_CORRECTIONS
        ]
    )


def references_markdown() -> str:
    """The whole list as Markdown, grouped by topic (what ``docs/references.md`` contains)."""
    parts = []
    for topic in TOPICS:
        items = [r.markdown() for r in REFERENCES if r.topic == topic]
        parts.append(f"## {topic}\n\n" + "\n".join(items))
    return "\n\n".join(parts) + "\n"


def render_document() -> str:
    """The full text of ``docs/references.md``."""
    return (
        "# References / 参考文献\n\n"
        "<!-- generated by `python -m aigc_helpers references --write` from aigc_helpers/references.py; "
        "edit that file, not this one -->\n\n"
        "The one reference list of the course: every work a notebook or document cites, with authors, year,\n"
        "title and venue as published, and where the course uses it. Notebook 15 shows the same list, and\n"
        "how it corrects the source article's reading list.\n\n"
        "本课程唯一的参考文献列表：每一条都给出作者、年份、标题与出处（按原文发表时的写法），以及课程在哪里用到它。\n"
        "第 15 号笔记本展示同一份列表，并说明它如何更正了原始文章的参考书目。\n\n"
        "Years are those of first public appearance (arXiv for papers that appeared there first); the venue\n"
        "names the conference or journal where they were then published.\n\n"
        + references_markdown()
    )


__all__ = [
    "REFERENCES",
    "SEED_CORRECTIONS",
    "TOPICS",
    "Correction",
    "Reference",
    "corrections",
    "get",
    "references",
    "references_markdown",
    "render_document",
]
