"""The dashboard's words in English and Chinese, and how a request picks its language."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import Request

from modelatlas.analysis.hardware.wording import NOTES
from modelatlas.catalog.vocab import Phrases
from modelatlas.errors import ModelAtlasError

__all__ = [
    "ERRORS",
    "LANGS",
    "TEXT",
    "country_name",
    "joined",
    "pick_lang",
    "said",
    "translator",
    "validation",
]

LANGS = ("en", "zh")
TEXT: dict[str, tuple[str, str]] = {
    "title": ("modelatlas — large AI models", "modelatlas — 大模型趋势追踪"),
    "home": ("Home", "首页"),
    "models": ("Models", "模型"),
    "compare": ("Compare", "对比"),
    "trends": ("Trends", "趋势"),
    "timeline": ("Timeline", "时间线"),
    "lineage": ("Lineage", "谱系"),
    "hardware": ("Hardware", "硬件"),
    "newest": ("Newest models", "最新模型"),
    "by_domain": ("Models by domain", "各领域模型数"),
    "search": ("Search models", "搜索模型"),
    "search_hint": (
        "name, alias or words: llama 2, 紫东太初, diffusion",
        "名称、别名或关键词：llama 2、紫东太初、diffusion",
    ),
    "results": ("{total} models", "共 {total} 个模型"),
    "no_results": ("No model matches.", "没有符合条件的模型。"),
    "name": ("Name", "名称"),
    "organizations": ("Organizations", "机构"),
    "domains": ("Domains", "领域"),
    "parameters": ("Parameters", "参数量"),
    "released": ("Released", "发布"),
    "openness": ("Openness", "开放程度"),
    "license": ("License", "许可证"),
    "domain": ("Domain", "领域"),
    "modality": ("Modality", "模态"),
    "organization": ("Organization", "机构"),
    "country": ("Country", "国家"),
    "year": ("Year", "年份"),
    "min_params": ("Min. parameters", "最少参数"),
    "max_params": ("Max. parameters", "最多参数"),
    "apply": ("Apply", "应用"),
    "clear": ("Clear all", "清除全部"),
    "sort": ("Sort", "排序"),
    "sort_default": ("best match, else newest", "最相关（无搜索时最新）"),
    "sort_relevance": ("best match", "最相关"),
    "sort_released": ("newest", "最新"),
    "sort_parameters": ("largest", "参数最多"),
    "sort_name": ("name", "名称"),
    "previous": ("Previous", "上一页"),
    "next": ("Next", "下一页"),
    "export": ("Export this selection", "导出当前结果"),
    "page_of": ("{first}–{last} of {total}", "第 {first}–{last} 个，共 {total} 个"),
    "not_found": ("Not found", "未找到"),
    "bad_request": ("Bad request", "请求有误"),
    "error": ("Error", "错误"),
    "sources": ("Sources", "来源"),
    "facts": ("Facts", "事实"),
    "lineage_up": ("Built on", "基于（上游）"),
    "lineage_down": ("Built upon by", "衍生模型（下游）"),
    "papers": ("Papers", "论文"),
    "code": ("Code", "代码"),
    "weights": ("Weights", "权重"),
    "accessed": ("accessed", "访问于"),
    "supports": ("supports", "支持字段"),
    "live": ("Live (last sync)", "实时数据（最近同步）"),
    "language": ("中文", "English"),
    "as_of": ("How current", "数据时效"),
    "curated_as_of": (
        "Curated catalog: {n} models, the newest released {date}.",
        "人工整理目录：{n} 个模型，最新发布于 {date}。",
    ),
    "source_as_of": ("snapshot of {date}, {rows} rows", "{date} 的快照，{rows} 行"),
    "import_as_of": ("imported {date}, {rows} rows", "{date} 导入，{rows} 行"),
    "new": ("New", "新收录"),
    "new_title": ("New in the atlas", "新收录的模型"),
    "new_lead": (
        "{n} models entered the atlas since {since} (the date of their first source), the most recent first.",
        "自 {since} 起新收录 {n} 个模型（以其最早来源的日期计），最新的在前。",
    ),
    "new_lead_more": (
        "The {n} models that entered the atlas most recently since {since} (the date of their first "
        "source), the most recent first; more entered since then: a later date or a filter narrows them.",
        "自 {since} 起新收录的模型中最近的 {n} 个（以其最早来源的日期计），最新的在前；此后收录的还有更多，"
        "可改晚起始日或加筛选。",
    ),
    "added_since": ("Added since", "收录起始日"),
    "added": ("Added", "收录于"),
    "trending": ("Trending", "热度"),
    "trending_title": ("Trending on the Hub and GitHub", "Hub 与 GitHub 热度"),
    "trending_lead": (
        "Growth of {metric} over the last {days} days, as modelatlas sync recorded it.",
        "最近 {days} 天 {metric} 的增长，数据来自 modelatlas sync 的记录。",
    ),
    "trending_empty": (
        "Nothing recorded in this window yet: run modelatlas sync (twice, some days apart) to see growth.",
        "此时间段内尚无记录：运行 modelatlas sync（相隔几天运行两次）即可看到增长。",
    ),
    "metric_name": ("Count", "指标"),
    "days": ("Days", "天数"),
    "repo": ("Repository", "仓库"),
    "gain": ("Gain", "增量"),
    "per_day": ("Per day", "每天"),
    "relative": ("Relative", "相对增长"),
    "total_models": ("{total} models in the atlas", "图谱中共 {total} 个模型"),
    "total_curated": (
        "{total} models in the atlas: {curated} from the curated catalog, the rest imported",
        "图谱中共 {total} 个模型：{curated} 个来自人工整理的目录，其余为导入数据",
    ),
    "feed": ("Atom feed of new models", "新模型 Atom 订阅"),
    "metric": ("Metric", "指标"),
    "metric_parameters": ("Parameters", "参数量"),
    "metric_compute": ("Training compute", "训练算力"),
    "metric_tokens": ("Training tokens", "训练 token 数"),
    "metric_cost": ("Training cost", "训练成本"),
    "since": ("From year", "起始年份"),
    "until": ("To year", "截止年份"),
    "frontier": ("frontier only (record-setters)", "仅前沿模型（创纪录者）"),
    "population": ("Models", "模型范围"),
    "org_hint": ("name or id", "名称或 id"),
    "as_sources_say": ("(as its sources say it)", "（来源原文）"),
    "ecosystem": ("Ecosystem", "生态"),
    "ecosystem_title": ("What the open community builds on", "开源社区在哪些基础模型上构建"),
    "ecosystem_empty": (
        "This atlas has not synced the Hub's whole model listing yet, so it cannot show the ecosystem.",
        "本图谱尚未同步 Hub 的完整模型列表，暂时无法展示生态。",
    ),
    "ecosystem_lead": (
        "{derivatives} fine-tunes, adapters, quantizations and merges of {bases} base models on the Hugging "
        "Face Hub, by the base_model tags of the whole listing; months {first} to {last}.",
        "Hugging Face Hub 完整模型列表中，按 base_model 标签统计：{bases} 个基础模型共有 {derivatives} "
        "个微调、适配器、量化和合并版本；月份范围 {first} 至 {last}。",
    ),
    "ecosystem_top": ("The most built-upon bases", "衍生最多的基础模型"),
    "base_model": ("Base model", "基础模型"),
    "hub_derivatives": ("Derivatives", "衍生模型"),
    "ecosystem_recent": ("Last {n} months", "近 {n} 个月"),
    "ecosystem_growth": ("Growth", "增长"),
    "ecosystem_growth_hint": (
        "New derivatives in the last {n} months over the {n} months before",
        "近 {n} 个月新增衍生模型数与之前 {n} 个月之比",
    ),
    "ecosystem_first_quantized": ("First quantization after", "首个量化版本间隔"),
    "ecosystem_tenth_quantized": ("10th quantization after", "第 10 个量化版本间隔"),
    "ecosystem_families": (
        "Growth by family (a catalog model, its repos added up)",
        "各模型家族的增长（目录模型，合计其各仓库）",
    ),
    "ecosystem_family": ("Family", "模型家族"),
    "ecosystem_previous": ("The {n} months before", "之前 {n} 个月"),
    "ecosystem_quantized": ("How soon releases are quantized", "发布后多久出现量化版本"),
    "ecosystem_quantized_hint": (
        "Per month of a base's release (its Hub repo's creation, else its catalog model's release date): the "
        "median days to its first and to its tenth quantized copy, over the bases that have one.",
        "按基础模型的发布月份（其 Hub 仓库的创建时间，否则为目录中模型的发布日期）：到出现第 1 个和第 10 个"
        "量化版本的天数中位数，只计已有量化版本的基础模型。",
    ),
    "ecosystem_no_quantized": (
        "No base released in these months has both a known release date and a quantized copy.",
        "这些月份发布的基础模型中，没有同时具有已知发布日期和量化版本的。",
    ),
    "n_days": ("{n} days", "{n} 天"),
    "hub_derived_title": ("Built on it on the Hub", "Hub 上的衍生模型"),
    "hub_derived_lead": ("{n} repos name it as their base:", "共 {n} 个仓库以它为基础模型："),
    "rel_finetune": ("fine-tunes", "微调"),
    "rel_adapter": ("adapters", "适配器"),
    "rel_quantized": ("quantizations", "量化"),
    "rel_merge": ("merges", "合并"),
    "month": ("Month", "月份"),
    "ecosystem_catalog": ("In the catalog", "目录中的模型"),
    "ecosystem_months": ("New derivatives per month", "每月新增衍生模型"),
    "ecosystem_cn_share": ("Built on Chinese bases", "基于中国基础模型的占比"),
    "ecosystem_no_catalog": ("No base the catalog names", "目录中没有对应的基础模型"),
    "ecosystem_by_country": ("By the base maker's country", "按基础模型开发者所在国家"),
    "ecosystem_by_licence": ("By the derivative's licence", "按衍生模型的许可证"),
    "ecosystem_by_pipeline": ("By the derivative's task", "按衍生模型的任务类型"),
    "ecosystem_none_stated": ("none stated", "未注明"),
    "ecosystem_method": (
        "A derivative is a Hub repo whose base_model tag names the base; one with two relations to a base "
        "counts once. Countries and catalog models come from the catalog's links to Hub repos.",
        "衍生模型指 base_model 标签指向该基础模型的 Hub 仓库；与同一基础模型有两种关系的仓库只计一次。"
        "国家和目录模型来自目录中与 Hub 仓库的关联。",
    ),
    "filters": ("Filters", "筛选"),
    # what sync records of a repo: the metrics and how the last check ended
    "likes": ("likes", "点赞"),
    "downloads": ("downloads", "下载"),
    "downloads_all_time": ("downloads (all time)", "累计下载"),
    "stars": ("stars", "星标"),
    "forks": ("forks", "复刻"),
    "ok": ("ok", "正常"),
    "missing": ("missing", "已不存在"),
    "any": ("any", "不限"),
    "openness_open": ("open weights", "开放权重"),
    "openness_not-open": ("not open", "非开放"),
    "fit_n": ("Models fitted", "拟合模型数"),
    "breaks": ("Eras", "分段"),
    "breaks_none": ("one trend", "不分段"),
    "breaks_auto": ("as the data says (BIC)", "由数据决定（BIC）"),
    "breaks_1": ("two eras", "两段"),
    "breaks_2": ("three eras", "三段"),
    "eras": ("Eras of the trend", "趋势分段"),
    "eras_lead": (
        "{n} eras, new ones starting {breaks}; each fitted on its own.",
        "共 {n} 段，新阶段始于 {breaks}；每段单独拟合。",
    ),
    "era_n": ("Era {n}", "第 {n} 段"),
    "fit_period": ("Released", "发布时间"),
    "fit_growth": ("Growth a year", "年增长"),
    "fit_ci": ("(90% CI {low}–{high})", "（90% 置信区间 {low}–{high}）"),
    "fit_doubling": ("Doubling time", "翻倍时间"),
    "fit_months": ("{n} months", "{n} 个月"),
    "fit_not_growing": ("not growing", "没有增长"),
    "frontier_models": ("The record-setters fitted", "参与拟合的创纪录模型"),
    "trends_more": (
        "More trends: by organization, country, openness, metric →",
        "更多趋势：按机构、国家、开放程度、指标 →",
    ),
    "population_notable": ("notable (as Epoch AI counts)", "重要模型（与 Epoch AI 口径一致）"),
    "population_all": ("every model in the atlas", "图谱中的全部模型"),
    "estimates_mode": ("Estimates", "估算值"),
    "estimates_include": ("included, marked", "包含并标注"),
    "estimates_exclude": ("left out (stated only)", "排除（仅厂商公布）"),
    "estimates_only": ("estimates only", "仅估算值"),
    "per_month": ("per month", "按月"),
    "per_quarter": ("per quarter", "按季度"),
    "per_year": ("per year", "按年"),
    "timeline_from": ("from {year}", "自 {year} 年起"),
    "timeline_all": ("all years", "全部年份"),
    "period_switch": ("Period", "统计周期"),
    "range_switch": ("Years shown", "显示年份"),
    "data_as_of": ("Data as of {date}", "数据截至 {date}"),
    "download": ("Download", "下载"),
    "download_label": ("Download:", "下载："),
    "download_png": ("PNG image", "PNG 图片"),
    "download_svg": ("SVG image", "SVG 矢量图"),
    "download_csv": ("CSV of the plotted points", "所绘数据点 CSV"),
    "cite": ("Cite:", "引用："),
    "cite_line": (
        "modelatlas, {title}, data as of {date}, {url}",
        "modelatlas，{title}，数据截至 {date}，{url}",
    ),
    "most_built_on": ("Most built upon", "被衍生最多的模型"),
    "derivatives": ("Direct derivatives", "直接衍生模型数"),
    "model_n": ("model {n}", "模型 {n}"),
    "training_data": ("Training data", "训练数据"),
    "base_models": ("Built on", "基座模型"),
    "cost": ("Training cost", "训练成本"),
    "hw_title": ("Hardware calculator", "硬件计算器"),
    "hw_lead": (
        "GPU memory to serve or fine-tune a model, per precision, and whether it fits a card. The parameter "
        "count is exact when the catalog bundles the model's config.json, or when you paste one.",
        "运行或微调一个模型需要多少显存：按精度给出合计与明细，并判断一张显卡能否放下。"
        "目录附带该模型的 config.json（或由你粘贴）时，参数量为精确值。",
    ),
    "hw_model": ("Model", "模型"),
    "hw_model_hint": ("a model or size: chatglm-6b, Llama-2-7B", "模型或规格：chatglm-6b、Llama-2-7B"),
    "hw_gguf": ("…or choose a .gguf or config.json file", "……或选择 .gguf 或 config.json 文件"),
    "hw_gguf_hint": (
        "Only its header is read and sent (at most 64 MiB, never the weights): the file's own bytes, "
        "and with a card, how many layers llama.cpp can put on it (-ngl).",
        "只读取并发送文件头（最多 64 MiB，不含权重）：按文件实际字节计算，"
        "选择显卡后给出 llama.cpp 可放上显卡的层数（-ngl）。",
    ),
    "hw_paste": ("…or paste a config.json", "……或粘贴 config.json"),
    "hw_paste_hint": (
        "When filled in, it is estimated instead of the model.",
        "填写后，估算的是这份配置而不是上面的模型。",
    ),
    "hw_gpu": ("Card", "显卡"),
    "hw_no_gpu": ("none", "不指定"),
    "hw_no_cards": ("no gpus.yaml in this catalog", "目录中没有 gpus.yaml"),
    "hw_gpus": ("Cards", "卡数"),
    "hw_context": ("Context", "上下文长度"),
    "hw_context_hint": (
        "8k, 32k, 128k, max; default: the model's, ≤ 4096",
        "8k、32k、128k、max；默认取模型上限，≤ 4096",
    ),
    "hw_batch": ("Batch", "批大小"),
    "hw_mode": ("Use", "用途"),
    "hw_inference": ("inference", "推理"),
    "hw_train_full": ("full fine-tuning (AdamW)", "全参数微调（AdamW）"),
    "hw_train_lora": ("LoRA fine-tuning", "LoRA 微调"),
    "hw_train_qlora": ("QLoRA fine-tuning", "QLoRA 微调"),
    "hw_precisions": ("Precisions (none: all)", "精度（不选即全部）"),
    "hw_estimate": ("Estimate", "估算"),
    "hw_precision": ("Precision", "精度"),
    "hw_method": ("Training", "训练方式"),
    "hw_size": ("Size", "规格"),
    "part_weights": ("Weights", "权重"),
    "part_kv_cache": ("KV cache", "KV 缓存"),
    "part_activations": ("Activations", "激活"),
    "part_overhead": ("Overhead", "框架开销"),
    "part_gradients": ("Gradients", "梯度"),
    "part_optimizer": ("Optimizer", "优化器状态"),
    "part_lora": ("LoRA weights", "LoRA 权重"),
    # a diffusion pipeline's networks, by their names in its model_index.json
    "part_unet": ("UNet", "UNet"),
    "part_transformer": ("Transformer (DiT)", "Transformer（DiT）"),
    "part_text_encoder": ("Text encoder", "文本编码器"),
    "part_text_encoder_2": ("Text encoder 2", "文本编码器 2"),
    "part_text_encoder_3": ("Text encoder 3", "文本编码器 3"),
    "part_vae": ("VAE", "VAE 自编码器"),
    "part_safety_checker": ("Safety checker", "安全检查器"),
    "hw_total": ("Total", "合计"),
    "hw_per_gpu": ("Per card", "每卡"),
    "hw_fits": ("Fits {card}", "{card} 放得下"),
    "hw_speed": ("tokens/s (est.)", "生成速度 token/s（估算）"),
    "hw_gib": ("All sizes in GiB (2³⁰ bytes).", "单位均为 GiB（2³⁰ 字节）。"),
    "hw_exact": ("exact", "精确"),
    "hw_estimated": ("estimate", "估算"),
    "hw_summary": (
        "{parameters} parameters ({kind}{active}) · context {context} × batch {batch}",
        "参数量 {parameters}（{kind}{active}）· 上下文 {context} × 批大小 {batch}",
    ),
    "hw_summary_weights": (
        "{parameters} parameters ({kind}): the weights alone; KV cache and activations need the config.json",
        "参数量 {parameters}（{kind}）：仅计权重；KV 缓存与激活需要 config.json 才能计算",
    ),
    "hw_summary_pipeline": (
        "{parameters} parameters ({kind}) in {n} networks, each counted from its config.json: their weights; "
        "activations grow with the resolution and are not counted, so totals are lower bounds",
        "参数量 {parameters}（{kind}），分属 {n} 个网络，各按其 config.json 计算：仅计权重；"
        "激活随分辨率增长，未计入，合计为下限",
    ),
    "hw_component": (
        "{name} ({model_class}): {parameters} parameters",
        "{name}（{model_class}）：参数量 {parameters}",
    ),
    "hw_no_kv": ("An image model keeps no KV cache", "图像模型没有 KV 缓存"),
    "hw_unknown_activations": (
        "Not counted: an image model's activations grow with the resolution, and no source gives them",
        "未计入：图像模型的激活随分辨率增长，没有来源给出其数值",
    ),
    "hw_family": ("{asked}: {n} sizes, each estimated below.", "{asked}：共 {n} 个规格，逐一估算如下。"),
    "hw_unknown_part": (
        "Unknown without the model's config.json (layers, heads, hidden size)",
        "缺少模型的 config.json（层数、注意力头数、隐藏维度），无法计算",
    ),
    "unknown": ("unknown", "未知"),
    "feed_title": ("modelatlas: new in the atlas", "modelatlas：新收录模型"),
    "feed_parameters": (", {n} parameters", "，参数量 {n}"),
    "feed_released": (", released {date}", "，{date} 发布"),
    "feed_added": ("; added {date}", "；{date} 收录"),
    "hw_kv": ("KV cache", "KV 缓存"),
    "hw_kv_default": ("16-bit", "16 位"),
    "hw_max_context": ("Largest context", "最长可用上下文"),
    "hw_no_context": ("The weights alone do not fit the card", "仅权重就放不下这张卡"),
    "hw_first_token": ("First token s (est.)", "首 token 秒（估算）"),
    "hw_first_token_hint": (
        "Prefill of the prompt at the card's peak FP16 rate: a lower bound (real prefill reaches about half)",
        "按显卡 FP16 峰值算力估算的提示词预填充时间：是下限（实际约为峰值的一半）",
    ),
    "hw_fp16_estimated": (
        "{card}'s FP16 figure is an estimate, not its maker's (catalog/gpus.yaml says whose).",
        "{card} 的 FP16 算力是估算值，并非厂商公布（来源见 catalog/gpus.yaml）。",
    ),
    "hw_max_context_hint": (
        "The most tokens per sequence that fit the card at this batch and KV format, up to the model's limit",
        "在当前批大小与 KV 格式下，这张卡能放下的最长上下文（不超过模型上限）",
    ),
    "hw_active": (", {n} active", "，每 token 激活 {n}"),
    "hw_on_gpus": (" on {n} cards", "，{n} 张卡"),
    "hw_config": ("Config", "配置"),
    "hw_stated": ("Stated by sources", "来源所述显存需求"),
    "hw_api": ("This estimate as JSON", "以 JSON 获取此估算"),
    "hw_model_caption": (
        "Inference at the model's context (at most 4096 tokens), batch 1, on one card; GiB.",
        "推理，上下文取模型上限（最多 4096 token），批大小 1，单卡；单位 GiB。",
    ),
    "hw_stated_only": (
        "* no config.json in the catalog: the stated size, weights and overhead only.",
        "* 目录中没有 config.json：按来源所述参数量估算，仅含权重与框架开销。",
    ),
    "hw_open": ("Open in the calculator", "在计算器中打开"),
    "hw_working": ("Estimating…", "估算中……"),
    "fits_gpu": ("Fits on my GPU", "我的显卡放得下"),
    "any_gpu": ("any card", "不限显卡"),
    "fit_memory": ("GiB at {precision}", "{precision} 显存 GiB"),
    "fit_memory_hint": (
        "Memory of the largest size that fits the card: weights, KV cache at the model's context "
        "(at most 4096), activations and overhead; only models whose weights can be downloaded",
        "能放进这张卡的最大规格所需显存：权重、KV 缓存（上下文取模型上限，最多 4096）、激活与框架开销；"
        "只计可下载权重的模型",
    ),
}
#: Errors as a page says them: the ``key`` of a ``ModelAtlasError`` (with its ``values``), the fields a
#: request names, and pydantic's error types. No shell advice: a web page is no command line.
ERRORS: dict[str, tuple[str, str]] = {
    "err_no_store": (
        "This atlas has no data yet: its store has not been built.",
        "图谱尚无数据：数据库还没有建立。",
    ),
    "err_old_store": (
        "This atlas's store was built by an older version of modelatlas and must be rebuilt.",
        "数据库由旧版 modelatlas 建立，需要重建。",
    ),
    "err_catalog": ("The catalog has {n} problems.", "目录有 {n} 处问题。"),
    "err_no_model": ("No model is called {name}.", "没有名为{name}的模型。"),
    "err_no_model_near": (
        "No model is called {name}. Did you mean {near}?",
        "没有名为{name}的模型。是否要找{near}？",
    ),
    "err_no_gpu": ("No card is called {name}.", "没有名为{name}的显卡。"),
    "err_no_gpu_near": (
        "No card is called {name}. Did you mean {near}?",
        "没有名为{name}的显卡。是否要找{near}？",
    ),
    "err_no_cards": (
        "This atlas's catalog has no list of cards (gpus.yaml).",
        "本站目录中没有显卡列表（gpus.yaml）。",
    ),
    "err_no_card": ("Choose a card, e.g. RTX 4090.", "请选择一张显卡，例如 RTX 4090。"),
    "err_context": (
        "Context {text} is not a number of tokens from 1 to {most:,} (8192, 8k, 128k or max).",
        "上下文{text}不是 1 到 {most:,} 之间的 token 数（如 8192、8k、128k 或 max）。",
    ),
    "err_context_max": (
        "The longest context of {title} is not known: give a number of tokens.",
        "{title}的最长上下文未知：请填写 token 数。",
    ),
    "err_one_of": ("{field} cannot be {text}: choose {choices}.", "{field}不能为{text}，可选：{choices}。"),
    "err_whole": (
        "{field}: {text} is not a whole number from 1 to {most:,}.",
        "{field}：{text}不是 1 到 {most:,} 之间的整数。",
    ),
    "err_count": (
        "{field}: {text} is not a number of parameters (7B, 6.2e9, 340M or 62亿).",
        "{field}：{text}不是参数量（如 7B、6.2e9、340M 或 62亿）。",
    ),
    "err_not_filter": ("{field} is not a filter of this page.", "{field}不是此页面的筛选条件。"),
    "err_date": (
        "{field}: {text} is not a date (2023, 2023-03 or 2023-03-14).",
        "{field}：{text}不是日期（如 2023、2023-03 或 2023-03-14）。",
    ),
    "err_year": ("Year {text} is not a year from 1 to 9999.", "年份{text}不在 1 到 9999 之间。"),
    "err_train_config": (
        "Training memory needs the model's config.json (layers, hidden size), and none is known.",
        "估算训练显存需要模型的 config.json（层数、隐藏维度），目前没有。",
    ),
    "err_no_subject": (
        "{text} is not a catalog model, a size or a Hub repo.",
        "{text}既不是目录中的模型，也不是规格或 Hub 仓库。",
    ),
    "err_no_size": (
        "{model} has no config.json in the catalog and no stated parameter count: paste its config.json "
        "or type its size (7B).",
        "目录中没有{model}的 config.json，也没有公开的参数量：请粘贴其 config.json 或直接输入规格（如 7B）。",
    ),
    "err_no_repo_config": (
        "No config.json for {repo} in the catalog, in this atlas's store or on the Hub: paste it or type "
        "the size (7B).",
        "目录、本站数据库和 Hub 上都找不到{repo}的 config.json：请粘贴它或直接输入规格（如 7B）。",
    ),
    "err_no_repo_config_offline": (
        "No config.json for {repo} in the catalog or in this atlas's store, and the Hub could not be "
        "reached: paste it or type the size (7B).",
        "目录和本站数据库中没有{repo}的 config.json，且无法连接 Hub：请粘贴它或直接输入规格（如 7B）。",
    ),
    "err_too_few": (
        "A trend needs at least 3 models with a release date and this metric ({metric}); the selection "
        "has {n}.",
        "拟合趋势至少需要 3 个有发布日期和该指标（{metric}）的模型，当前筛选只有 {n} 个。",
    ),
    "err_same_date": (
        "All {n} models with this metric ({metric}) were released on the same date: no trend can be fitted.",
        "具有该指标（{metric}）的 {n} 个模型发布于同一天，无法拟合趋势。",
    ),
    "err_http_404": ("There is no page at this address.", "此地址没有页面。"),
    "err_http_405": ("This address does not take that request method.", "此地址不接受这种请求方法。"),
    # by error class, when an error has no key of its own: the English detail follows
    "err_NotFound": ("Not found", "找不到"),
    "err_BadArgument": ("A value is not valid", "输入有误"),
    "err_ConfigError": ("The config.json cannot be used", "config.json 无法使用"),
    "err_InputError": ("The file cannot be read", "无法读取文件"),
    "err_NotEnoughData": ("Too few models for this", "数据不足"),
    "err_SourceError": ("A live source failed", "数据源请求失败"),
    "err_StoreError": ("The store cannot be read", "无法读取数据库"),
    "err_ModelAtlasError": ("Something went wrong", "出错了"),
    # pydantic's error types, for a query parameter that fails its declared type or bounds
    "val_int_parsing": ("must be a whole number", "须为整数"),
    "val_float_parsing": ("must be a number", "须为数字"),
    "val_bool_parsing": ("must be true or false", "须为 true 或 false"),
    "val_greater_than_equal": ("must be at least {ge}", "须不小于 {ge}"),
    "val_greater_than": ("must be more than {gt}", "须大于 {gt}"),
    "val_less_than_equal": ("must be at most {le}", "须不大于 {le}"),
    "val_less_than": ("must be less than {lt}", "须小于 {lt}"),
    "val_string_pattern_mismatch": ("is not in the expected form", "格式不符"),
    "val_string_too_long": (
        "is too long (at most {max_length} characters)",
        "过长（最多 {max_length} 个字符）",
    ),
    "val_literal_error": ("must be one of {expected}", "须为以下之一：{expected}"),
    "val_enum": ("must be one of {expected}", "须为以下之一：{expected}"),
    "val_missing": ("is required", "不能为空"),
    "val_other": ("is not valid", "取值无效"),
    # the fields errors name, where the interface has no word for them yet
    "kv": ("KV cache", "KV 缓存"),
    "precision": ("Precision", "精度"),
    "gpus": ("Cards", "卡数"),
    "batch": ("Batch", "批大小"),
    "context": ("Context", "上下文长度"),
    "released_after": ("Released after", "发布晚于"),
    "released_before": ("Released before", "发布早于"),
    "page": ("Page", "页码"),
    "limit": ("Per page", "每页条数"),
}
_PHRASES = Phrases({**ERRORS, **NOTES, **TEXT})


def pick_lang(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then the browser's Accept-Language; English otherwise."""
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGS:
        return asked
    accepted = request.headers.get("accept-language", "")
    return "zh" if accepted.lower().startswith("zh") else "en"


def country_name(code: str, lang: str) -> str:
    """A country's name from its ISO code in ``lang`` (CLDR's, through Babel): US → United States, 美国."""
    from babel import Locale

    return str(Locale.parse("zh_Hans" if lang == "zh" else "en").territories.get(code.upper(), code))


def joined(items: Iterable[object], by: Callable[[Any], object] = str, *, lang: str) -> str:
    """A list as the language writes one, each item shown ``by`` a function: "a, b" in English, "a、b"
    in Chinese."""
    return ("、" if lang == "zh" else ", ").join(str(by(item)) for item in items)


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)`` for templates: a UI word, or a vocabulary label (domains, openness …)."""
    return functools.partial(_PHRASES, lang=lang)


def said(error: ModelAtlasError, lang: str) -> str:
    """An error as a page says it in ``lang``: its phrase when it has one, else its plain message (in
    Chinese, after what kind of error it is); never the shell advice the CLI adds."""
    if error.key in ERRORS:
        values = {
            name: _quoted(value, lang) if name in _QUOTED else value for name, value in error.values.items()
        }
        if "field" in values:
            values["field"] = _PHRASES(str(values["field"]), lang)
        if "metric" in values:
            values["metric"] = _PHRASES(f"metric_{values['metric']}", lang)
        return _PHRASES(error.key, lang, **values)
    if lang != "zh":
        return error.plain
    kind = next(
        (f"err_{cls.__name__}" for cls in type(error).__mro__ if f"err_{cls.__name__}" in ERRORS),
        "err_ModelAtlasError",
    )
    return f"{_PHRASES(kind, lang)}{'：' if lang == 'zh' else ': '}{error.plain}"


def validation(where: str, kind: str, context: Mapping[str, Any], detail: str, lang: str) -> str:
    """A query parameter's failed check as a page says it: ``page: must be at least 1``, ``页码：须不小于 1``.
    English keeps pydantic's own wording (``detail``); Chinese says it by the error's ``kind``."""
    field = _PHRASES(where, lang) if where in ERRORS or where in TEXT else where
    if lang != "zh":
        return f"{where}: {detail}"
    key = f"val_{kind}" if f"val_{kind}" in ERRORS else "val_other"
    try:
        said_it = _PHRASES(key, lang, **context)
    except (KeyError, IndexError):
        said_it = _PHRASES("val_other", lang)
    return f"{field}：{said_it}"


#: Values an error names as the person typed them: quoted, 「…」 in Chinese.
_QUOTED = frozenset({"name", "near", "text", "repo", "model", "title"})


def _quoted(value: object, lang: str) -> str:
    items = value if isinstance(value, list | tuple) else [value]
    marks = ("「", "」") if lang == "zh" else ("'", "'")
    return joined(items, lambda v: f"{marks[0]}{v}{marks[1]}", lang=lang) if items else ""
