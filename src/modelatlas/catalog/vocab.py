"""The controlled vocabularies of the catalog, one ``Literal`` each, with their labels in two languages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

__all__ = [
    "ARCHITECTURES",
    "OPEN_WEIGHTS",
    "DOMAINS",
    "FACT_FIELDS",
    "LABELS",
    "MODALITIES",
    "OPENNESS",
    "ArchType",
    "Domain",
    "Modality",
    "OrgKind",
    "Openness",
    "Phrases",
    "Precision",
    "Purpose",
    "Relation",
    "TechniqueKind",
]

#: The seeds' three domains first; the rest hold what imported lists (Epoch AI) also track.
Domain = Literal[
    "nlp", "cv", "multimodal", "speech", "games", "biology", "robotics", "science", "recommendation", "other"
]
Modality = Literal["text", "image", "audio", "video", "3d", "signal", "action", "code"]
ArchType = Literal[
    "decoder-only",
    "encoder-only",
    "encoder-decoder",
    "glm",
    "latent-diffusion",
    "pixel-diffusion",
    "vision-transformer",
    "cnn",
    "rnn",
    "lstm",
    "hybrid",
    "feedforward",
    "n-gram",
    "system",
    "other",
]
Openness = Literal[
    "open-weights",
    "open-weights-restricted",
    "research-only",
    "api-only",
    "hosted",
    "closed",
    "unreleased",
]
#: Openness values under which anyone can download the weights.
OPEN_WEIGHTS = ("open-weights", "open-weights-restricted")
Relation = Literal[
    "fine-tune",
    "instruction-tune",
    "distill",
    "quantize",
    "merge",
    "continued-pretrain",
    "adapter",
    "component",
    "port",
]
Precision = Literal["fp32", "fp16", "bf16", "int8", "int4"]
Purpose = Literal["inference", "training", "fine-tune"]
OrgKind = Literal["lab", "company", "university", "nonprofit", "government", "collective"]
TechniqueKind = Literal["fine-tuning", "alignment", "training", "architecture", "compression", "prompting"]

DOMAINS: tuple[str, ...] = get_args(Domain)
MODALITIES: tuple[str, ...] = get_args(Modality)
ARCHITECTURES: tuple[str, ...] = get_args(ArchType)
OPENNESS: tuple[str, ...] = get_args(Openness)

#: Top-level model fields that state a fact and so need a source naming them in ``fields``.
#: Sub-fields of ``training`` may be named one by one (``training.tokens``) or all at once (``training``).
FACT_FIELDS: tuple[str, ...] = (
    "organizations",
    "architecture",
    "parameters",
    "context_length",
    "variants",
    "training",
    "techniques",
    "released",
    "announced",
    "papers",
    "code",
    "weights",
    "demo",
    "homepage",
    "license",
    "openness",
    "base_models",
)

#: Display labels for vocabulary values and field names, ``LABELS[value] = (en, zh)``.
LABELS: dict[str, tuple[str, str]] = {
    "nlp": ("NLP", "自然语言处理"),
    "cv": ("Computer vision", "计算机视觉"),
    "multimodal": ("Multimodal", "多模态"),
    "speech": ("Speech and audio", "语音与音频"),
    "games": ("Games", "游戏"),
    "biology": ("Biology and medicine", "生物与医学"),
    "robotics": ("Robotics and driving", "机器人与驾驶"),
    "science": ("Science and mathematics", "科学与数学"),
    "recommendation": ("Recommendation and search", "推荐与搜索"),
    "other": ("Other", "其他"),
    "decoder-only": ("decoder-only Transformer", "仅解码器 Transformer"),
    "encoder-only": ("encoder-only Transformer", "仅编码器 Transformer"),
    "encoder-decoder": ("encoder-decoder Transformer", "编码器-解码器 Transformer"),
    "glm": ("GLM (autoregressive blank infilling)", "GLM（自回归空白填充）"),
    "latent-diffusion": ("latent diffusion", "潜在扩散"),
    "pixel-diffusion": ("pixel-space diffusion", "像素空间扩散"),
    "vision-transformer": ("vision Transformer", "视觉 Transformer"),
    "cnn": ("convolutional network", "卷积神经网络"),
    "rnn": ("recurrent network", "循环神经网络"),
    "lstm": ("LSTM", "长短期记忆网络（LSTM）"),
    "hybrid": ("hybrid", "混合架构"),
    "feedforward": ("feed-forward network", "前馈网络"),
    "n-gram": ("n-gram model", "n 元语法模型"),
    "system": ("system of models", "多模型系统"),
    "text": ("text", "文本"),
    "image": ("image", "图像"),
    "audio": ("audio", "音频"),
    "video": ("video", "视频"),
    "3d": ("3D", "三维"),
    "signal": ("signal", "信号"),
    "action": ("action", "动作"),
    "open-weights": ("open weights", "开放权重"),
    "open-weights-restricted": ("open weights, restricted", "开放权重（有限制）"),
    "research-only": ("research-only weights", "仅限研究的权重"),
    "api-only": ("API only", "仅 API"),
    "hosted": ("hosted, no API", "仅在线使用（无 API）"),
    "closed": ("closed", "闭源"),
    "unreleased": ("unreleased", "未发布"),
    "id": ("ID", "ID"),
    "name": ("Name", "名称"),
    "aliases": ("Aliases", "别名"),
    "family": ("Family", "系列"),
    "version": ("Version", "版本"),
    "organizations": ("Organizations", "机构"),
    "country": ("Country", "国家/地区"),
    "domains": ("Domains", "领域"),
    "modalities": ("Modalities", "模态"),
    "tasks": ("Tasks", "任务"),
    "architecture": ("Architecture", "架构"),
    "parameters": ("Parameters", "参数量"),
    "active_parameters": ("Active parameters", "激活参数量"),
    "context_length": ("Context length", "上下文长度"),
    "variants": ("Variants", "版本规格"),
    "training": ("Training", "训练"),
    "training.tokens": ("Training tokens", "训练 token 数"),
    "training.dataset": ("Training data", "训练数据"),
    "training.compute_flop": ("Training compute (FLOP)", "训练算力 (FLOP)"),
    "training.hardware": ("Training hardware", "训练硬件"),
    "training.gpu_hours": ("GPU-hours", "GPU 小时"),
    "training.cost_usd": ("Training cost (USD)", "训练成本（美元）"),
    "training.co2e_t": ("CO2e (t)", "碳排放（吨 CO2e）"),
    "techniques": ("Techniques", "技术"),
    "released": ("Released", "发布时间"),
    "announced": ("Announced", "公布时间"),
    "papers": ("Papers", "论文"),
    "code": ("Code", "代码"),
    "weights": ("Weights", "权重"),
    "demo": ("Demo", "演示/内测"),
    "homepage": ("Homepage", "官网"),
    "license": ("License", "许可证"),
    "openness": ("Openness", "开放程度"),
    "status_notes": ("Status notes", "状态备注"),
    "base_models": ("Based on", "基座模型"),
    "derivatives": ("Derivatives", "衍生模型"),
    "hardware": ("Hardware", "硬件需求"),
    "evaluations": ("Evaluations", "评测"),
    "disputes": ("Disputed claims", "存疑说法"),
    "estimates": ("Estimates (not stated by the maker)", "估算值（非厂商公布）"),
    "estimated_by": ("estimated by", "估算方"),
    "notability": ("Judged notable", "重要性评定"),
    # Epoch AI's notability criteria, as its exports spell them
    "SOTA improvement": ("state-of-the-art improvement", "达到最先进水平"),
    "Highly cited": ("highly cited", "高被引"),
    "Historical significance": ("historical significance", "具有历史意义"),
    "Significant use": ("significant use", "广泛使用"),
    "Training cost": ("training cost", "训练成本高"),
    "Discretionary": ("Epoch's discretion", "Epoch 酌定"),
    "not_stated": ("not stated by the maker", "厂商未公布"),
    "version_of": ("Dated version of", "所属模型（日期版本）"),
    "versions": ("Dated versions", "日期版本"),
    "confident": ("confident (within ~3×)", "较可信（误差约 3 倍内）"),
    "likely": ("likely (within ~10×)", "可能（误差约 10 倍内）"),
    "speculative": ("speculative (within ~30×)", "推测（误差约 30 倍内）"),
    "rumour": ("rumour", "传闻"),
    "Epoch AI's calculation": ("Epoch AI's calculation", "Epoch AI 计算"),
    "6ND": ("6·N·D", "6·N·D 估算"),
    "summary": ("Summary", "简介"),
    "sources": ("Sources", "来源"),
    "input": ("input", "输入"),
    "output": ("output", "输出"),
    # how one model is built on another (lineage relations)
    "fine-tune": ("fine-tune", "微调"),
    "instruction-tune": ("instruction-tune", "指令微调"),
    "distill": ("distill", "蒸馏"),
    "quantize": ("quantize", "量化"),
    "merge": ("merge", "模型合并"),
    "continued-pretrain": ("continued pretraining", "继续预训练"),
    "adapter": ("adapter", "适配器"),
    "component": ("component", "组件"),
    "port": ("port", "移植"),
    # what a stated GPU memory figure is for
    "inference": ("inference", "推理"),
    # kinds of organization and of technique
    "lab": ("lab", "研究机构"),
    "company": ("company", "公司"),
    "university": ("university", "大学"),
    "nonprofit": ("nonprofit", "非营利组织"),
    "government": ("government", "政府机构"),
    "collective": ("collective", "开源社区"),
    "fine-tuning": ("fine-tuning", "微调"),
    "alignment": ("alignment", "对齐"),
    "compression": ("compression", "压缩"),
    "prompting": ("prompting", "提示"),
    "parameters.active": ("Active parameters", "激活参数量"),
    # market segments of GPUs
    "consumer": ("consumer", "消费级"),
    "workstation": ("workstation", "工作站"),
    "datacenter": ("data centre", "数据中心"),
}


class Phrases:
    """Words of an interface in English and Chinese: a module's own table, then the vocabulary ``LABELS``.

    ``phrases(key, lang, **values)`` is the text for ``key`` in ``lang`` with ``values`` filled in, or the
    key itself when neither table has it. ``labels_first`` looks in ``LABELS`` first (for values such as
    domains, whose vocabulary label is the one to show).
    """

    def __init__(self, own: Mapping[str, tuple[str, str]], *, labels_first: bool = False) -> None:
        self.own = own
        self._tables = (LABELS, own) if labels_first else (own, LABELS)

    def __call__(self, key: str, lang: str, **values: object) -> str:
        for table in self._tables:
            if key in table:
                text = table[key][1 if lang == "zh" else 0]
                return text.format(**values) if values else text
        return key
