"""The gate's reasons, in zh-Hans and English. Keys are stable; placeholders are str.format fields."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "hours": {
        "en": "{rule}: {when} is outside the contact window {start}–{end} ({places}).",
        "zh-hans": "{rule}：{when}不在允许联系时段 {start}–{end} 内（{places}）。",
    },
    "hours_never": {
        "en": "{rule}: the locations {places} share no contact window within {days} days.",
        "zh-hans": "{rule}：所在地 {places} 在 {days} 天内没有共同的允许联系时段。",
    },
    "dials": {
        "en": "{rule}: {count} unanswered dials to {address} on {day} already; the limit is {limit} a day.",
        "zh-hans": "{rule}：{day} 已向 {address} 拨打未接通 {count} 次，每日上限 {limit} 次。",
    },
    "hold": {
        "en": "{rule}: {title}.",
        "zh-hans": "{rule}：{title}。",
    },
    "disputed_amount": {
        "en": "{rule}: CNY {amount} is under dispute: do not demand it until the dispute is resolved.",
        "zh-hans": "{rule}：人民币 {amount} 元存在异议，异议处理完毕前不得催收该款项。",
    },
    "3p_not_lost": {
        "en": "{rule}: the {role} is an unrelated third party and the debtor is not unreachable (失联).",
        "zh-hans": "{rule}：{role}属无关第三人，且债务人未失联，不得联系。",
    },
    "3p_refused": {
        "en": "{rule}: the {role} refused further contact on {day}.",
        "zh-hans": "{rule}：{role}已于 {day} 拒绝再被联系。",
    },
    "loc_once": {
        "en": "{rule}: the {role} was already contacted for location information {count} time(s); "
        "again only if they ask.",
        "zh-hans": "{rule}：已就查找下落联系该{role} {count} 次，除非对方要求，不得再联系。",
    },
    "consumer_refused": {
        "en": "{rule}: the {role} asked on {day} that contact stop.",
        "zh-hans": "{rule}：{role}已于 {day} 要求停止联系。",
    },
    "7in7": {
        "en": "{rule}: {count} calls to this person about debt {debt} from {first} to {day}; "
        "the limit is {limit} in {days} consecutive days.",
        "zh-hans": "{rule}：{first} 至 {day} 已就债务 {debt} 致电此人 {count} 次，连续 {days} 天上限 {limit} 次。",
    },
    "conv7": {
        "en": "{rule}: a telephone conversation about debt {debt} on {day} (day 1 of {days}); no call before {until}.",
        "zh-hans": "{rule}：{day} 已就债务 {debt} 通话（{days} 天期间的第 1 天），{until} 前不得致电。",
    },
    "rebut_gap": {
        "en": "{rule}: an unanswered call to {address} at {last}; a second one within {minutes} minutes is harassing.",
        "zh-hans": "{rule}：{last} 已向 {address} 拨打未接通，{minutes} 分钟内再拨构成骚扰。",
    },
    "rebut_day": {
        "en": "{rule}: {count} calls to {address} on {day}; call number {limit} in one day is harassing.",
        "zh-hans": "{rule}：{day} 已向 {address} 拨打 {count} 次，同日第 {limit} 次构成骚扰。",
    },
    "optout": {
        "en": "{rule}: the customer opted out of {channel}.",
        "zh-hans": "{rule}：客户已退订{channel}渠道。",
    },
    "eopt_marker": {
        "en": "{rule}: the {channel} text carries no opt-out instruction.",
        "zh-hans": "{rule}：{channel}内容缺少退订方式。",
    },
    "workmail": {
        "en": "{rule}: {address} is known to be the employer's e-mail address.",
        "zh-hans": "{rule}：{address} 为已知的雇主电子邮箱。",
    },
    "inconv_place": {
        "en": "{rule}: the consumer said {address} is inconvenient.",
        "zh-hans": "{rule}：消费者已声明 {address} 不便联系。",
    },
    "inconv_time": {
        "en": "{rule}: the consumer said {start}–{end} local time is inconvenient ({places}).",
        "zh-hans": "{rule}：消费者已声明当地时间 {start}–{end} 不便联系（{places}）。",
    },
    "val": {
        "en": "{rule}: a dispute on {dispute} falls in the validation period (ends {end}); "
        "no collection until verification is sent.",
        "zh-hans": "{rule}：{dispute} 的异议在验证期内（截至 {end}），寄出核实材料前停止催收。",
    },
    "mini": {
        "en": "{rule}: the text lacks the disclosure “{marker}”.",
        "zh-hans": "{rule}：内容缺少披露语句“{marker}”。",
    },
    "wording": {
        "en": "{rule}: prohibited wording ({category}): “{phrase}”.",
        "zh-hans": "{rule}：禁用措辞（{category}）：“{phrase}”。",
    },
    "warning": {
        "en": "warning — {text}",
        "zh-hans": "警告——{text}",
    },
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "debtor": "debtor",
        "guarantor": "guarantor",
        "spouse": "spouse",
        "relative": "relative",
        "emergency_contact": "emergency contact",
        "employer": "employer",
        "attorney": "attorney",
        "other": "third party",
        "phone": "phone",
        "sms": "SMS",
        "email": "e-mail",
        "letter": "letter",
        "visit": "visit",
        "threat": "threat",
        "insult": "insult",
        "impersonation": "posing as an authority",
        "borrow_to_repay": "pressing to borrow to repay",
        "third_party_disclosure": "debt disclosed to a third party",
        "lawsuit_threat": "threat to sue on a time-barred debt",
        "legal_filing": "claims a filing the customer's legal case has not reached",
        "legal_hearing": "claims a hearing the customer's legal case has not reached",
        "legal_judgment": "claims a judgment the customer's legal case has not reached",
        "legal_enforcement": "claims an enforcement the customer's legal case has not reached",
        "all": "all",
    },
    "zh-hans": {
        "debtor": "债务人",
        "guarantor": "担保人",
        "spouse": "配偶",
        "relative": "亲属",
        "emergency_contact": "紧急联系人",
        "employer": "工作单位",
        "attorney": "律师",
        "other": "第三人",
        "phone": "电话",
        "sms": "短信",
        "email": "电子邮件",
        "letter": "信函",
        "visit": "上门",
        "threat": "威胁",
        "insult": "侮辱",
        "impersonation": "冒充国家或司法机关",
        "borrow_to_repay": "以贷养贷",
        "third_party_disclosure": "向第三人透露债务",
        "lawsuit_threat": "对过时效债务威胁起诉",
        "legal_filing": "声称已立案或起诉，但该客户的法律案件尚未到此阶段",
        "legal_hearing": "声称已发传票或开庭，但该客户的法律案件尚未到此阶段",
        "legal_judgment": "声称已判决，但该客户的法律案件尚未到此阶段",
        "legal_enforcement": "声称已强制执行，但该客户的法律案件尚未到此阶段",
        "all": "全部",
    },
}


def say(key: str, language: str, **fields: object) -> str:
    return MESSAGES[key][language].format(**fields)


def word(name: str, language: str) -> str:
    return WORDS[language].get(name, name)
