"""The calculator's sentences, in English and Chinese.

An estimate's notes are :class:`Note` values, a key and the values it names, not text: the CLI, the API
and the page each say them in their reader's language from the one table here (``NOTES``), which the
dashboard's phrasebook includes. A list value is said item by item (an item that is a key of ``NOTES``
in its words) and joined as the language joins lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from modelatlas.catalog.vocab import Phrases

__all__ = ["NOTES", "Note", "origin_said", "repo_origin"]

NOTES: dict[str, tuple[str, str]] = {
    "note_estimated_architecture": (
        "estimate: {kind} is not an architecture modelatlas counts exactly; L·(4h² + 2h·ffn) + V·h from "
        "the config's sizes, assuming full multi-head attention",
        "估算：modelatlas 不能精确计算 {kind} 架构，按配置中的尺寸以 L·(4h² + 2h·ffn) + V·h 估算，"
        "并假定为标准多头注意力",
    ),
    "note_gguf": (
        "counted from the GGUF header's {tensors} tensors; weights as stored in the file",
        "按 GGUF 文件头中的 {tensors} 个张量计数；权重按文件中的存储格式计算",
    ),
    "note_size": (
        "estimate: a size typed as {text!r}, {total:,} parameters taken as all in linear layers; KV cache "
        "and activations unknown without a config",
        "估算：按输入的规格「{text}」计 {total:,} 个参数，全部视为线性层参数；"
        "没有配置文件，KV 缓存和激活未知",
    ),
    "note_size_experts": (
        "estimate: a size typed as {text!r}, {total:,} parameters taken as all in linear layers; {experts} "
        "experts of {each} counted as {experts} × {each}, an upper bound, since experts share attention "
        "and embeddings (Mixtral 8x7B has 46.7B parameters, not 56B); KV cache and activations unknown "
        "without a config",
        "估算：按输入的规格「{text}」计 {total:,} 个参数，全部视为线性层参数；{experts} 个 {each} 专家按 "
        "{experts} × {each} 计，是上限，因为专家共享注意力层和词嵌入（Mixtral 8x7B 共 467 亿参数，"
        "而非 560 亿）；没有配置文件，KV 缓存和激活未知",
    ),
    "note_stated": (
        "estimate: no config.json for {model} in the catalog, so the stated {total:,} parameters are taken "
        "as all in linear layers; KV cache and activations unknown",
        "估算：目录中没有 {model} 的 config.json，来源所述的 {total:,} 个参数全部视为线性层参数；"
        "KV 缓存和激活未知",
    ),
    "note_media": (
        "a model that makes {made} holds more than these weights: an autoencoder (VAE) or vocoder and any "
        "text encoder not in the stated size, and activations that grow with the resolution or length it "
        "makes, none of them counted here; the sources' own figures below are the better guide",
        "生成{made}的模型所占显存不止这些权重：还有未计入所述参数量的自编码器（VAE）或声码器、文本编码器，"
        "以及随分辨率或时长增长的激活，这里都没有计算；以下来源给出的数字更可靠",
    ),
    "note_upcast": (
        "fp16: {component} counted in fp32, since {pipeline} casts a VAE with force_upcast to float32 to "
        "decode",
        "fp16：{component} 按 fp32 计，因为 {pipeline} 会把设置了 force_upcast 的 VAE 转为 float32 再解码",
    ),
    "note_pipeline_activations": (
        "activations unknown (they grow with the resolution and the number of images), so the total is the "
        "weights' lower bound",
        "激活未知（随分辨率和图像数量增长），合计只是权重部分的下限",
    ),
    "note_uncounted": (
        "not counted, so the total is a lower bound: {parts}",
        "未计入，所以合计只是下限：{parts}",
    ),
    "note_component": ("{name} ({class_name}): {why}", "{name}（{class_name}）：{why}"),
    "why_no_config": ("its config.json is not at hand", "手头没有它的 config.json"),
    "why_not_counted": (
        "modelatlas does not count {library}'s {class_name}",
        "modelatlas 不计算 {library} 的 {class_name}",
    ),
    "note_encoder_decoder": (
        "encoder-decoder: the decoder takes at most {limit:,} tokens (its context here: {context:,}); the "
        "encoder always runs over {encoder:,} positions (30 s of audio for Whisper), so its activations "
        "and the cross-attention cache are counted at that length whatever the context",
        "编码器-解码器：解码器最多接受 {limit:,} 个 token（此处上下文为 {context:,}）；编码器总是处理 "
        "{encoder:,} 个位置（Whisper 即 30 秒音频），"
        "所以无论上下文多长，其激活和交叉注意力缓存都按这个长度计算",
    ),
    "made_images": ("images", "图像"),
    "made_video": ("video", "视频"),
    "made_audio": ("audio", "音频"),
    "note_no_config": (
        "no config: KV cache and activations unknown, so the total is a lower bound",
        "没有配置文件：KV 缓存和激活未知，合计只是下限",
    ),
    "note_lora": (
        "LoRA rank {rank} on every attention and MLP linear layer",
        "LoRA 秩为 {rank}，加在每个注意力层和 MLP 线性层上",
    ),
    "note_beyond": (
        "context {context:,} is longer than the {limit:,} tokens {title} takes",
        "上下文 {context:,} 超过了 {title} 支持的 {limit:,} 个 token",
    ),
    "note_offload": (
        "{label}: llama.cpp -ngl {layers} of {total} layers on the card: {gpu:.2f} GiB there, {ram:.2f} GiB "
        "of system RAM (estimate; -ngl {total} + 1 puts the output layer there too)",
        "{label}：llama.cpp -ngl {layers}（共 {total} 层）：显存 {gpu:.2f} GiB，系统内存 {ram:.2f} GiB"
        "（估算；-ngl 为层数 + 1 时输出层也放上显卡）",
    ),
    # where a count came from, when it is not a file or a repo
    "origin_size": ("a size typed", "输入的规格"),
    "origin_stated": ("the parameter count its sources state", "来源所述的参数量"),
    "origin_pasted": ("pasted config.json", "粘贴的 config.json"),
    "origin_gguf": ("GGUF header", "GGUF 文件头"),
    "origin_synced": ("{repo} (config.json, synced from the Hub)", "{repo}（config.json，同步自 Hub）"),
    "origin_hub": ("{repo} (config.json, the Hub)", "{repo}（config.json，来自 Hub）"),
}
_SAY = Phrases(NOTES)
_JOIN = {"en": " and ", "zh": "和"}
_PARTS = {"en": "; ", "zh": "；"}


@dataclass(frozen=True, slots=True)
class Note:
    """One sentence of an estimate: ``key`` in ``NOTES`` and the values it names."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def said(self, lang: str = "en") -> str:
        """The sentence in ``lang`` ("en" or "zh")."""
        return _SAY(self.key, lang, **{name: _said(name, value, lang) for name, value in self.values.items()})

    def __str__(self) -> str:
        return self.said("en")


def _said(name: str, value: object, lang: str) -> object:
    """A value as a sentence names it: a note said, a list said item by item and joined."""
    if isinstance(value, Note):
        return value.said(lang)
    if isinstance(value, list | tuple):
        joiner = _PARTS if name == "parts" else _JOIN
        return joiner.get(lang, joiner["en"]).join(str(_said("", v, lang)) for v in value)
    return _SAY(value, lang) if isinstance(value, str) and value in NOTES else value


def repo_origin(repo: str, key: str) -> str:
    """Where a Hub repo's config came from, as a count's origin records it: ``key`` is ``origin_synced``
    (the store's copy from `sync`) or ``origin_hub`` (the Hub itself), said in English."""
    return _SAY(key, "en", repo=repo)


def origin_said(origin: str, lang: str) -> str:
    """Where a count came from, in ``lang``: a path or repo as it is, a kind of origin in words."""
    for key in ("origin_synced", "origin_hub"):  # the origins ``repo_origin`` writes
        suffix = NOTES[key][0].removeprefix("{repo}")
        if origin.endswith(suffix):
            return _SAY(key, lang, repo=origin.removesuffix(suffix))
    kinds = {"size": "origin_size", "stated": "origin_stated", "pasted config.json": "origin_pasted"}
    kinds["GGUF header"] = "origin_gguf"
    return _SAY(kinds[origin], lang) if origin in kinds else origin
