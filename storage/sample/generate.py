#!/usr/bin/env python3
"""Generate the BettaFish-rs sample corpus.

Everything in this file is fictional and was written for BettaFish-rs: the
brands (极澜汽车 / Jilan Motors, 恒昱动力), the university (江北大学), the race
(滨海马拉松), the singer (苏念), the label (星河唱片), the app (妙声AI /
VoxMuse), every nickname and every post.  Nothing was crawled.

Deterministic: stdlib only, fixed seed.  Run from anywhere:

    python3 storage/sample/generate.py

Writes posts.jsonl, comments.jsonl, topics.jsonl and news.jsonl next to this
file and prints per-topic / per-platform / per-language counts.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

SEED = 20261112
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
TZ = timezone(timedelta(hours=8))
LAST_MOMENT = datetime(2026, 11, 23, 23, 59, tzinfo=TZ)

POSTS_PER_TOPIC = 75
ZH_PER_TOPIC = 50
TARGET_COMMENTS = 600

# Platform codes in report order (the per-topic mix is TOPIC_PLATFORMS)
PLATFORM_WEIGHTS = {"wb": 27, "xhs": 20, "dy": 17, "bili": 10, "zhihu": 9, "tieba": 8, "ks": 9}
# Per-topic platform mix (marathon lives on xhs/dy, the AI-song fight on bili, ...)
TOPIC_PLATFORMS = {
    "ev-battery-recall": {"wb": 30, "xhs": 16, "dy": 18, "bili": 9, "zhihu": 10, "tieba": 9, "ks": 8},
    "canteen-prices": {"wb": 26, "xhs": 20, "dy": 16, "bili": 8, "zhihu": 9, "tieba": 11, "ks": 10},
    "city-marathon": {"wb": 25, "xhs": 26, "dy": 19, "bili": 8, "zhihu": 6, "tieba": 5, "ks": 11},
    "ai-music-copyright": {"wb": 27, "xhs": 16, "dy": 18, "bili": 15, "zhihu": 10, "tieba": 7, "ks": 7},
}
# mu, sigma of log(likes); comment, share, collect ratios to likes
ENGAGEMENT = {
    "wb": (2.8, 1.9, 0.18, 0.22, 0.03),
    "xhs": (3.4, 1.8, 0.12, 0.10, 0.55),
    "dy": (4.2, 2.0, 0.06, 0.08, 0.10),
    "bili": (3.6, 1.8, 0.07, 0.03, 0.18),
    "zhihu": (2.9, 1.9, 0.10, 0.03, 0.35),
    "tieba": (1.2, 1.3, 0.90, 0.01, 0.01),
    "ks": (3.8, 1.9, 0.06, 0.06, 0.03),
}
HOUR_WEIGHTS = [2, 1, 0.5, 0.3, 0.3, 0.5, 1, 3, 4, 4, 4, 5, 6, 5, 4, 4, 4, 5, 6, 7, 8, 9, 8, 5]

# --------------------------------------------------------------------------
# Platform decoration (topic-neutral)
# --------------------------------------------------------------------------

EMOJI = {
    "zh": {
        "wb": {"neg": ["[怒]", "[抓狂]", "[衰]", "[汗]", "[允悲]", "[费解]", "[泪]"],
               "neu": ["[思考]", "[吃瓜]", "[doge]", "[并不简单]"],
               "pos": ["[赞]", "[good]", "[心]", "[鼓掌]", "[哈哈]", "[给力]"]},
        "xhs": {"neg": ["😮‍💨", "😤", "🙃", "😭", "💢", "🥲"],
                "neu": ["📌", "👀", "💡", "📝", "🔍"],
                "pos": ["✨", "👍", "❤️", "🥹", "🎉", "🙌"]},
        "dy": {"neg": ["😤", "😡", "🤦", "😓"], "neu": ["👀", "🤔", "📍"], "pos": ["👍", "💪", "🥰", "👏"]},
        "bili": {"neg": ["(╯°□°）╯", "[笑哭]", "[无语]"], "neu": ["[doge]", "[吃瓜]", "[思考]"], "pos": ["[妙啊]", "[打call]", "[星星眼]"]},
        "tieba": {"neg": ["[怒]", "[泪]", "[汗]"], "neu": ["[滑稽]", "[疑问]", "[阴险]"], "pos": ["[太开心]", "[真棒]", "[吐舌]"]},
        "ks": {"neg": ["[捂脸]", "[流泪]", "😩"], "neu": ["[呲牙]", "🤔"], "pos": ["👍", "😂", "[玫瑰]"]},
        "zhihu": {"neg": [], "neu": [], "pos": []},
    },
    "en": {
        "any": {"neg": ["😩", "🙄", "😤", "🤦"], "neu": ["👀", "🤔", "📌"], "pos": ["🙌", "❤️", "👏", "✨"]},
    },
}

PLATFORM_CLOSERS = {
    "zh": {
        "xhs": ["有同感的姐妹评论区聊聊～", "先码住，后续再更新📌", "大家理性讨论哈～", "有问题评论区问我"],
        "bili": ["视频做得比较仓促，弹幕友善交流。", "觉得有用的话点个赞吧。", "有错误欢迎在评论区指出。"],
        "ks": ["老铁们怎么看？", "评论区聊聊"],
        "dy": ["你们怎么看？", "说说你的看法"],
        "tieba": ["求大佬解答", "理性讨论，别带节奏"],
    },
    "en": {
        "xhs": ["Thoughts? Drop them below 👇", "Will update this note later."],
        "bili": ["Be nice in the comments, please.", "Corrections welcome below."],
        "ks": ["What do you think?"],
        "dy": ["Thoughts?"],
        "tieba": ["Genuinely asking."],
    },
}

COMMENT_PREFIX = {
    "zh": {"neg": ["唉，", "服了，", "真的无语，", "心累，"],
           "neu": ["话说", "补充一下，", "插一句，"],
           "pos": []},
    "en": {"neg": [], "neu": [], "pos": []},
}

# Generic nickname material: deliberately free of any topic vocabulary.
ZH_ADJ = ["温柔的", "不困的", "爱睡觉的", "路过的", "想躺平的", "早起的", "迷糊的", "认真的", "话很多的",
          "安静的", "元气满满的", "有点社恐的", "今天也很乖的", "不会做饭的", "会发光的"]
ZH_NOUN = ["小熊", "猫猫", "橘子", "柚子", "海豚", "土豆", "松鼠", "兔子", "柠檬", "蘑菇", "企鹅", "云朵",
           "西瓜", "小狗", "鲸鱼", "仓鼠"]
ZH_HANDLE = ["momo", "Kiki", "Yuki", "Luna", "阿七", "小鹿", "Coco", "阿柚", "大橙子", "阿June", "Vivi",
             "十一", "阿九", "小满", "木木", "一一"]
ZH_PHRASE = ["一只快乐小狗", "某个普通人", "今天也在摸鱼", "早睡困难户", "不想早八", "人间清醒王",
             "吃瓜第一线", "半糖去冰", "晚风吹过来", "在逃公主", "快乐星球居民", "夏天的风",
             "不加香菜", "山里来的", "月亮不睡我不睡", "路人甲乙丙"]
EN_FIRST = ["maya", "leo", "jen", "sam", "chris", "nina", "alex", "kai", "zoe", "ben", "ivy", "omar",
            "lucy", "raj", "mei", "tom", "hana", "dev", "ella", "finn"]
EN_LAST = ["w", "k", "chen", "lin", "park", "li", "ng", "okafor", "wu", "tan", "ross", "zhao"]
EN_ADJ = ["quiet", "sunny", "lazy", "blue", "little", "tired", "curious", "midnight", "salty", "cosmic"]
EN_NOUN = ["fox", "panda", "owl", "cloud", "otter", "lemon", "moth", "kite", "noodle", "pebble"]

# --------------------------------------------------------------------------
# Topic content.
#
# Pool entries may start with a day gate (days of November 2026):
#   "16|text"     usable from the 16th on      "~15|text"  usable up to the 15th
#   "19~21|text"  usable from the 19th to the 21st
# so that nobody mentions the compensation plan before it was announced.
# Titles are "s|[gate|]title[@@key]": s is the sentiment the title fits
# ("n" negative, "p" positive, "u" any), and key, when present, is a
# substring of the body sentence the post must then contain, so that the
# title and the text agree.  "{m}" is filled with a number of months.
# --------------------------------------------------------------------------

TOPICS = {}

TOPICS["ev-battery-recall"] = {
    "name": "极澜汽车S7电池召回",
    "name_en": "Jilan Motors S7 battery recall",
    "description": "极澜汽车宣布召回38216辆S7电动车，原因是部分电芯隔膜缺陷可能在快充时引发热失控；车主担心安全、不满限充和检测排队，也有人为主动召回辩护，补偿方案成为焦点。 / Jilan Motors recalls 38,216 S7 electric cars over battery cells that may overheat during fast charging; owners worry, complain and ask about compensation while some defend the brand.",
    "break": 12,
    "break_hour": 10,
    "follow_from": 16,
    "day_weights": {10: 1, 11: 2, 12: 22, 13: 14, 14: 9, 15: 6, 16: 7, 17: 4, 18: 3, 19: 2, 20: 2, 21: 1, 22: 1, 23: 1},
    "sentiment": {"neg": 0.55, "neu": 0.25, "pos": 0.20},
    "anchors": {"zh": ["极澜", "S7", "召回"], "en": ["Jilan", "S7", "recall"]},
    "signature": {
        "zh": ["极澜", "召回", "电池", "电芯", "热失控", "充电", "车主", "4S店", "续航", "模组", "恒昱", "新能源", "限充"],
        "en": ["Jilan", "recall", "recalls", "recalled", "battery", "batteries", "charging", "charger", "charge",
               "S7", "X5", "EV", "EVs", "car", "cars", "thermal runaway", "VIN", "Hengyu"],
    },
    "zh": {
        "keywords": ["极澜 召回", "极澜S7", "极澜S7 电池", "极澜汽车 电池过热", "S7 召回 补偿"],
        "tags": ["极澜汽车召回", "极澜S7", "新能源车电池安全", "电池热失控", "极澜召回补偿"],
        "nicks": ["S7车主阿杰", "极澜老车主", "提车第五个月", "电车小白老周", "南城开电车的", "充电桩守夜人", "S7蓝色版"],
        "open": {
            "neg": ["刚收到召回短信，心情复杂。", "S7车主，说几句心里话。", "不吐不快。", "真的会谢。",
                    "本人S7车主，提车第{m}个月。", "气到手抖。"],
            "neu": ["整理一下目前知道的信息：", "转一下官方信息，有需要的车主自查。", "冷静聊聊这次召回。", "今天去了趟4S店。"],
            "pos": ["说句公道话。", "作为开了两年S7的老车主，我想替极澜说两句。", "别急着喷，先看看官方到底做了什么。"],
        },
        "body": {
            "neg": [
                "提车才{m}个月就收到召回短信，现在每次插上充电枪都提心吊胆。",
                "官方说是“极低概率”，可那台S7在超充站冒烟的视频大家都看到了，落到谁头上都是百分之百。",
                "OTA把快充上限锁在80%，续航直接打了八折，这跟买了台缩水车有什么区别？",
                "给4S店打了一上午电话终于接通，说检测要排到下个月中旬。",
                "我的车每天停在地下车库，楼上就是孩子的房间，你让我怎么睡得着？",
                "~15|先发一篇“高度重视”的声明，补偿方案一个字没提，这公关也是没谁了。",
                "当初发布会上喊“电池安全行业第一”有多硬气，现在就有多打脸。",
                "电芯是供应商的问题？车是极澜卖的，这个锅甩不出去。",
                "二手车商已经开始压价了，S7的残值一夜之间掉了两三万，这损失谁认？",
                "客服全程复读机：“请您耐心等待通知”。等什么？等它自己冒烟吗？",
                "最气的是上个月我就跟销售说过充电时底盘发烫，他拍着胸脯说完全正常。",
                "物业贴了通知，S7暂时不让用地库的充电桩，我只能每天去外面的充电站排队。",
                "限充、排队、被邻居嫌弃，买个车买成了全家的心病。",
                "车机里的召回提示一天弹三次，弹得我心里发毛，能不能先把检测给我排上？",
                "冬天本来续航就打折，再限个充，通勤来回都得算着电量开。",
                "家里老人听说这车会冒烟，死活不肯坐了，接送孩子只能打车。",
                "买的时候说S7是“安全旗舰”，花了二十多万，换来一条召回短信。",
                "4S店让我留下车架号等通知，连个大概时间都给不出来。",
                "我上周刚在超充站排了四十分钟队充到满电，现在想想后背发凉。",
            ],
            "neu": [
                "据极澜汽车公告，本次召回涉及2025年3月1日至2026年6月30日生产的部分S7，共计38216辆。",
                "官方给出的原因是部分电芯隔膜存在缺陷，在高电量快充的极端情况下可能引发热失控。",
                "召回期间车辆会通过OTA把快充上限临时限制在80%，官方建议优先使用慢充。",
                "车主可以在“极澜车主”小程序输入车架号，查询自己的车是否在召回范围内。",
                "消息公布后，极澜港股盘中一度下跌8%，收盘跌幅收窄到5%左右。",
                "涉事电芯供应商恒昱动力晚间回应称，正在全力配合排查。",
                "事情的起因是11月9日一台S7在南城一座超充站充电时冒烟，所幸无人受伤。",
                "从公告看，X5用的是另一批次电芯，不在这次召回范围内。",
                "按召回流程，4S店会先做电池包绝缘和温度检测，有问题的模组免费更换。",
                "极澜称更换下来的模组会全部返厂做拆解分析。",
                "13|据车主群统计，目前大部分门店的检测预约排在一到三周之后。",
                "按极澜的说法，限充只针对直流快充，家用慢充桩不受影响。",
            ],
            "pos": [
                "主动召回本身就是负责任的做法，比那些捂着不报的强太多了。",
                "开了一年多S7，从来没出过问题，这次我选择相信官方的处理。",
                "查了车架号，我的车不在范围内，大家先别慌，按流程查一下就知道了。",
                "汽车召回是行业常态，燃油车召回也多了去了，别一出事就喊新能源不行。",
                "13|今天做完检测，前后半小时，模组一切正常，店里还顺手帮我洗了车。",
                "13|代步车一天就安排上了，说实话比我预想的快。",
                "宁可挨骂也先限充保安全，这个决定我是服气的。",
                "网上好多冒烟视频是旧的，甚至是别的品牌，别被带节奏了。",
                "销售主动打电话来解释，态度很诚恳，至少没有装死。",
                "13|身边几个S7车主在群里互相通报进度，大部分店效率还行，没网上说得那么夸张。",
                "至少极澜没有嘴硬说是用户操作问题，这一点比某些品牌强。",
                "我平时都在家慢充，限快充对我影响不大，安全第一。",
                "13|我的检测排在周末，店里还主动打电话提醒带好行驶证，挺贴心的。",
            ],
        },
        "short": {
            "neg": ["召回短信来了，心凉了半截", "现在充电都站得远远的", "限充80%，续航焦虑拉满", "4S店电话打到手机没电",
                    "极澜，给个说法！", "提车{m}个月，喜提召回"],
            "neu": ["S7车主快去查车架号", "实拍4S店召回检测现场", "一条视频讲清楚S7召回流程", "限充之后冬天续航实测"],
            "pos": ["检测半小时，一切正常✌️", "主动召回，这波我站极澜", "代步车已到手，效率可以", "别慌，按流程走就行"],
        },
        "follow": [
            "16|极澜公布了补偿方案：每台车3000元充电券，电池包质保延长到10年不限里程，检测更换期间提供代步车。",
            "16|第一批更换用的新模组据说下周到店，按预约顺序来。",
            "17|消协已经介入，要求极澜公开问题电芯的具体批次。",
            "16|媒体沟通会上CEO鞠了一躬，说了句“是我们对不起用户”，语气还算诚恳。",
            "19|我家附近那家店已经换完第一批模组了，前后花了两天。",
        ],
        "pre": [
            "刷到一个视频，说一台极澜S7在南城超充站充电时冒烟了，有S7车主知道怎么回事吗？有点慌。",
            "S7冒烟那个视频是真的吗？我刚提车一个月，今晚还要去超充站充电……",
            "问了极澜客服，回复说冒烟事件正在调查，请勿轻信谣言。行吧，先观望。",
            "听说极澜内部在排查电芯批次了，不知道会不会召回，S7车主群里已经炸了。",
            "南城超充站那台冒烟的S7，车主群里说是快充到九成多的时候出的事，现在谁还敢充满？",
            "极澜到现在都没正式回应冒烟的事，官方账号照常发新车海报，评论区全在问这个。",
            "今晚去超充站，旁边停了两台S7，车主都站得老远，气氛有点微妙。",
        ],
        "ask": [
            "有没有S7车主已经去检测过了？流程大概多久？",
            "召回期间能不能申请退车？有懂行的吗？",
            "限充之后冬天续航还剩多少，有人测过吗？",
            "换上去的模组是新的还是翻新的？这个官方得说清楚吧。",
            "X5用的是同一家电芯吗？X5车主有点慌。",
            "16|充电券能在第三方充电站用吗？",
        ],
        "close": {
            "neg": ["希望极澜给个说法。", "这事没完。", "维权群已经建好了，S7车主可以私信。", "再也不当小白鼠了。"],
            "neu": ["有进展再更新。", "大家充电注意安全。", "且看后续吧。"],
            "pos": ["别慌，按流程来。", "给极澜一点时间吧。", "希望越来越好。"],
        },
        "deep": [
            "先说结论：这次召回的技术原因并不罕见。隔膜是电芯里隔开正负极的薄膜，一旦有杂质或厚度不均，在高电量、大电流快充时局部温度升高，就可能被刺穿造成内短路，进而引发热失控。把快充上限限制在80%，本质上是降低这种极端工况出现的概率。",
            "从规模看，3.8万辆差不多是S7一年多的产量，财务上肯定肉疼，但比起真出一起严重事故，主动召回的代价要小得多。",
            "车主真正关心的其实是三件事：多久能检测、坏了换不换新、这段时间的不便怎么补。官方一开始只回答了第一件，后两件说得很模糊，这才是舆论爆发的根本原因。",
            "维权角度讲，召回是厂家的法定义务，车主可以要求免费检测和更换；如果因为限充产生了实际损失，保留好充电记录和出行记录，再跟厂家协商补偿会更有底气。",
            "另外提醒一句，不要自己拆电池包，也别找非授权的店处理，一旦出了事，责任就说不清了。",
            "对整个行业来说，这件事会倒逼车企在电芯入厂检测和供应商管理上更严格，长期看未必是坏事。",
        ],
        "zhihu_open": ["利益相关：S7车主。", "谢邀，做了几年电池测试，简单说说。", "不请自来。", "说点不一样的。"],
        "titles": {
            "xhs": ["n|S7车主收到召回短信后的真实心情😮‍💨@@就收到召回短信", "u|极澜召回｜4S店检测流程整理📝@@按召回流程",
                    "u|新能源车主必看：怎么查自己的车在不在召回范围@@输入车架号", "n|提车{m}个月就召回，我该怎么办？@@提车才{m}个月",
                    "p|13|检测半小时搞定✅S7召回经验贴@@今天做完检测", "n|限充80%，我的S7成了缩水车@@OTA把快充上限锁在80%",
                    "u|别慌！一图看懂极澜S7召回@@本次召回涉及", "n|物业不让在地库充电了，崩溃@@物业贴了通知", "p|为极澜说句公道话@@主动召回本身"],
            "bili": ["u|【实测】极澜S7限充80%后，冬天还能开多远？@@快充上限临时限制在80%", "u|【深度】S7电池召回：隔膜缺陷到底是什么@@电芯隔膜存在缺陷",
                     "u|13|极澜召回检测全程vlog｜排队三小时@@按召回流程", "n|14|【吐槽】召回第三天，4S店电话还是打不通@@给4S店打了一上午电话",
                     "n|S7残值一夜跳水？我去问了二手车商@@二手车商已经开始压价了"],
            "zhihu": ["u|如何看待极澜汽车召回3.8万辆S7？", "u|极澜S7电池召回，车主应该怎么维权？", "u|电芯隔膜缺陷为什么会导致热失控？",
                      "u|这次召回会对极澜的销量产生多大影响？"],
            "tieba": ["u|S7车主进来聊聊召回的事", "n|4S店说检测要排到下月，正常吗@@给4S店打了一上午电话", "u|召回了还能继续开吗？急",
                      "u|19|有没有老哥已经换过模组了", "u|极澜这波公关你给几分", "n|地库不让充了怎么办@@物业贴了通知"],
        },
        "comments": {
            "neg": ["一样，我那边4S店也说排到下个月", "说是极低概率，谁敢赌？", "16|3000块充电券打发谁呢", "二手车商今天报价比上周少了两万五",
                    "客服只会说耐心等待", "我邻居已经在群里说不让我在地库充了", "当初就不该冲首发", "销售现在电话都不接了",
                    "限充之后高速上根本不敢开远", "声明写得跟没写一样"],
            "neu": ["小程序里可以查车架号，直接输就行", "X5不在范围内，官方客服确认过", "慢充不受影响，只是快充限到80%", "蹲一个检测流程",
                    "检测要带行驶证和身份证", "同问，模组是新的吗", "~16|有没有人知道补偿什么时候出", "我们群里统计了，大部分都排到月底"],
            "pos": ["13|我昨天检测完了，挺快的", "主动召回总比瞒着强", "13|代步车是同款S7，开着还行", "支持极澜，希望早点解决",
                    "理性看待，燃油车也召回", "我家那个店服务挺好的", "16|补偿方案比我预期的好", "至少没装死，给个及格"],
        },
        "replies": ["哪个城市的店？", "同城，我也是这样", "你这运气可以啊", "真的假的？我这边完全不是这样", "~15|别太乐观了，等补偿出来再说",
                    "有道理", "你是不是水军？", "我是真车主，行驶证都能给你看", "感谢分享", "+1"],
    },
    "en": {
        "keywords": ["Jilan recall", "Jilan S7", "Jilan S7 battery", "Jilan Motors overheating"],
        "tags": ["JilanRecall", "JilanS7", "EVSafety"],
        "nicks": ["s7_owner_mike", "plugged_in_pete", "jilan_driver_88", "volt_and_vinegar"],
        "open": {
            "neg": ["Just got the recall text.", "S7 owner here, and I'm not happy.", "Rant incoming.", "Well, that's my week ruined."],
            "neu": ["Quick summary for anyone confused:", "Sharing the official info for anyone who needs it.", "Went to the service center today."],
            "pos": ["Unpopular take, but hear me out.", "Two years with my S7, so some perspective:", "Before everyone piles on, look at what Jilan actually did."],
        },
        "body": {
            "neg": [
                "{m} months into owning an S7 and now I'm nervous every time I plug it in.",
                "Capping fast charging at 80% is a band-aid, not a fix. I paid for the range I was promised.",
                "Called the service center three times. Earliest inspection slot is mid-December.",
                "The statement says 'extremely low probability'. Tell that to the guy whose S7 started smoking at a supercharger.",
                "Resale value on my S7 dropped overnight. Dealers are quoting me way less than last week.",
                "16|A charging voucher is not compensation. It's a coupon.",
                "I park in a shared underground garage and my neighbours now want me to stop charging there.",
                "I told the dealer last month the floor got unusually warm while charging. He said it was normal.",
                "Blaming the cell supplier doesn't cut it. Jilan sold me the car, Jilan owns the problem.",
                "My winter commute already eats most of a charge. With the cap I'm planning every trip around chargers.",
                "My parents refuse to ride in it now. Try explaining thermal runaway to your mum.",
            ],
            "neu": [
                "Jilan Motors is recalling 38,216 S7s built between March 2025 and June 2026 over battery cells that may overheat during fast charging.",
                "According to the notice, a separator defect in some cells can cause thermal runaway at a high state of charge.",
                "Until the fix, an OTA update limits DC fast charging to 80%. Slow charging at home is unaffected.",
                "You can check whether your VIN is affected in Jilan's owner mini-program.",
                "Jilan's Hong Kong-listed shares fell as much as 8% after the announcement.",
                "The cell supplier, Hengyu Power, says it is cooperating with the investigation.",
                "The X5 uses cells from a different batch and is not part of this recall, per the company.",
            ],
            "pos": [
                "Credit where it's due: a voluntary recall plus an OTA safeguard within days is how it should be done.",
                "13|My inspection took 40 minutes, the modules checked out fine, and they even washed the car.",
                "Every carmaker has recalls. Let's not turn this into an anti-EV crusade.",
                "13|Loaner car sorted within a day. Honestly better than I expected.",
                "Half the smoke videos going around are old or not even Jilan. Check before you share.",
                "13|Most owners in my group chat got inspection slots within two weeks. It's not as chaotic as social media makes it look.",
                "At least they didn't blame owners for 'improper use'. Low bar, but some brands trip over it.",
            ],
        },
        "short": {
            "neg": ["Recall text just landed. Great.", "Standing well back from my car while it charges now", "80% charge cap = range anxiety unlocked"],
            "neu": ["S7 owners: check your VIN today", "Inside a Jilan service center on recall day", "Winter range test with the 80% cap"],
            "pos": ["13|Inspection done in 40 min, all clear ✅", "Voluntary recall > cover-up. Fair play, Jilan", "13|Loaner S7 arrived same day"],
        },
        "follow": [
            "16|Update: Jilan now offers a 3,000-yuan charging credit, a 10-year battery warranty and a loaner car during repairs.",
            "17|The consumer association is asking Jilan to publish the exact cell batch numbers.",
            "16|Replacement modules are reportedly arriving at service centers next week.",
            "16|The CEO bowed and apologised at a press briefing. Better late than never.",
        ],
        "pre": [
            "Saw a clip of a Jilan S7 smoking at a charging station in Nancheng. Anyone know what happened?",
            "Is that S7 smoke video real? Picked mine up last month and now I'm side-eyeing it in the garage.",
            "Jilan still hasn't commented on the S7 that smoked at a charging station. Their account is posting ads like nothing happened.",
            "Owners' group chat says the Nancheng S7 was above 90% on a fast charger when it started smoking. Not charging past 80% until we know more.",
            "Two S7s at the supercharger tonight and both owners were standing well away from their cars. Weird vibe.",
        ],
        "ask": [
            "Anyone had their S7 inspected yet? How long did it take?",
            "Can you return the car during a recall? Anyone know the rules?",
            "Does the X5 use the same cells? Asking as a nervous X5 owner.",
            "Will the replacement modules be new or refurbished?",
        ],
        "close": {
            "neg": ["Not letting this go.", "Jilan, we're waiting."],
            "neu": ["Will update when I hear more.", "Stay safe when charging, everyone."],
            "pos": ["Give them a chance to fix it.", "Don't panic, just follow the process."],
        },
        "deep": [
            "Short version: separator defects aren't exotic. The separator keeps the electrodes apart; if it's thin or contaminated, high current at a high state of charge can cause an internal short and thermal runaway. Capping fast charging at 80% lowers the odds of that worst case.",
            "What owners actually want answered is simple: when can I get inspected, will I get new modules, and who makes up for the hassle in the meantime. Jilan initially only answered the first one.",
            "A recall of this size is roughly a year of S7 production, so it hurts financially, but it is still far cheaper than one serious incident.",
        ],
        "zhihu_open": ["Disclosure: I own an S7.", "I work in battery testing, so a few thoughts."],
        "titles": {
            "xhs": ["n|Got the Jilan recall text 😩 what now?@@months into owning an S7", "u|How to check if your S7 is affected@@check whether your VIN",
                    "p|13|My S7 inspection experience, start to finish@@My inspection took 40 minutes",
                    "n|My neighbours want me to stop charging in the garage@@shared underground garage", "p|In defence of Jilan (sort of)@@Credit where it's due"],
            "bili": ["u|[Explained] What a separator defect actually means@@separator defect", "u|Jilan S7 with the 80% fast-charge cap: what changes?@@limits DC fast charging",
                     "n|Why I'm angry about the Jilan recall@@Blaming the cell supplier"],
            "zhihu": ["u|What do you make of Jilan Motors recalling 38,000 S7s?", "u|What should S7 owners do after the battery recall?"],
            "tieba": ["n|S7 owners, is your service center booked out too?@@Earliest inspection slot", "u|19|Anyone already had their modules replaced?",
                      "u|Still OK to drive the S7 during the recall?"],
        },
        "comments": {
            "neg": ["Same here, earliest slot is next month.", "16|A voucher is an insult tbh", "My dealer stopped answering calls",
                    "'Extremely low probability' is doing a lot of work in that statement", "Resale value is tanking, not just yours",
                    "Never buying first-year models again", "The 80% cap kills road trips"],
            "neu": ["You can check your VIN in the mini-program", "Home charging isn't affected, only DC fast charging", "Following for updates",
                    "Bring your registration papers to the inspection", "Same question about the modules", "~16|Any word on compensation yet?",
                    "X5 isn't included, I asked"],
            "pos": ["13|Had mine done yesterday, quick and painless", "Better a recall than a cover-up", "13|Loaner was the same model, no complaints",
                    "16|The compensation is better than I expected", "At least they didn't go silent", "My service center was great about it",
                    "Good on them for acting fast"],
        },
        "replies": ["Which city?", "Same experience here", "Lucky you, mine is a mess", "~15|Wait for the compensation details before praising them",
                    "Fair point", "Thanks, that's helpful", "Are you sure? That's not what my dealer said", "+1"],
    },
    "official": [
        {"platform": "wb", "author": "极澜汽车", "at": (12, 9, 30), "likes_mu": 9.2,
         "text": "致极澜S7用户：经与电芯供应商联合排查，我们发现部分批次电芯存在隔膜缺陷风险。出于对每一位用户安全的考虑，我们决定主动召回相关车辆，免费检测并更换问题模组。召回期间，车辆将通过OTA临时将快充上限调整为80%。给大家带来的不便，我们深感抱歉。#极澜汽车召回#"},
        {"platform": "wb", "author": "南城都市报", "at": (12, 10, 5), "likes_mu": 8.1,
         "text": "【极澜汽车召回38216辆S7电动车】11月12日，极澜汽车宣布召回2025年3月1日至2026年6月30日生产的部分S7车型。公告称，部分电芯隔膜存在缺陷，极端情况下快充时可能引发热失控。车主可通过“极澜车主”小程序输入车架号查询。#极澜汽车召回# #新能源车电池安全#"},
        {"platform": "dy", "author": "财经快讯社", "at": (12, 11, 40), "likes_mu": 8.8, "title": "极澜汽车宣布召回3.8万辆S7",
         "text": "极澜汽车今日宣布召回38216辆S7，原因是电芯隔膜缺陷可能导致热失控，港股盘中一度跌超8%。 #极澜汽车召回 #新能源汽车 #电池安全"},
        {"platform": "wb", "author": "极澜汽车", "at": (16, 20, 0), "likes_mu": 8.7,
         "text": "关于S7召回补偿方案的说明：1. 每位受影响车主获赠3000元充电券；2. 电池包质保延长至10年不限里程；3. 检测及更换期间免费提供代步车。感谢大家的理解与监督，我们会把每一台车都处理好。#极澜召回补偿#"},
    ],
    "news": [
        ("weibo", "zh", "极澜汽车召回3.8万辆S7", "极澜汽车宣布召回2025年3月至2026年6月生产的部分S7，原因为电芯隔膜缺陷可能导致热失控。", 12, 3),
        ("weibo", "zh", "S7车主称4S店检测排到下月", "多地极澜S7车主反映召回检测预约已排到12月，官方称正在增加检测工位。", 13, 17),
        ("weibo", "zh", "极澜召回补偿方案公布", "极澜汽车宣布为受影响车主提供3000元充电券、10年电池质保和代步车。", 16, 8),
        ("zhihu", "zh", "如何看待极澜汽车召回3.8万辆S7？", "知乎热榜问题，讨论召回原因、车主权益和对极澜销量的影响。", 12, 5),
        ("toutiao", "zh", "极澜港股盘中跌超8%，电芯供应商恒昱动力回应", "召回消息公布后极澜股价大幅波动，恒昱动力称正在配合排查。", 12, 12),
        ("thepaper", "zh", "极澜S7超充站冒烟事件调查：问题出在电芯隔膜", "记者梳理了11月9日南城超充站冒烟事件到召回公告的经过。", 13, 21),
        ("thepaper", "zh", "消协要求极澜公开问题电芯批次", "消费者协会发函要求极澜汽车公开涉事电芯批次并明确更换时间表。", 17, 26),
        ("toutiao", "zh", "多地极澜4S店开始更换S7电池模组", "首批替换模组已运抵部分门店，车主按预约顺序进店更换。", 19, 33),
        ("reuters", "en", "China's Jilan Motors recalls 38,216 S7 EVs over battery overheating risk", "Jilan Motors said a separator defect in some cells could cause thermal runaway during fast charging.", 12, 4),
        ("bbc", "en", "Jilan recall: Chinese EV owners anxious over fast-charging limits", "Owners of the S7 describe long waits for inspections and an 80% charging cap.", 14, 19),
    ],
}

TOPICS["canteen-prices"] = {
    "name": "江北大学食堂涨价",
    "name_en": "Jiangbei University canteen price rise",
    "description": "江北大学多个食堂荤菜和米饭集体涨价，学生吐槽饭卡扛不住、分量缩水，也有人理解食材和人工成本上涨；学校随后推出平价窗口、增加困难学生餐补并召开听证会。 / Jiangbei University raises canteen prices overnight; students push back, some accept rising costs, and the university responds with a budget meal, subsidies and a hearing.",
    "break": 18,
    "break_hour": 11,
    "follow_from": 19,
    "day_weights": {16: 1, 17: 2, 18: 24, 19: 16, 20: 9, 21: 9, 22: 5, 23: 4},
    "sentiment": {"neg": 0.55, "neu": 0.25, "pos": 0.20},
    "anchors": {"zh": ["江北", "食堂"], "en": ["Jiangbei", "canteen"]},
    "signature": {
        "zh": ["江北", "食堂", "饭卡", "涨价", "红烧肉", "米饭", "后勤", "学生", "餐补", "外卖", "平价窗口", "禾丰", "桃李园", "听证会"],
        "en": ["Jiangbei", "canteen", "canteens", "dining hall", "student", "students", "meal", "meals", "rice", "braised pork",
               "tuition", "stipend", "Hefeng", "subsidy", "subsidies", "hearing"],
    },
    "zh": {
        "keywords": ["江北大学 食堂 涨价", "江北 食堂", "高校食堂 涨价", "江北大学 饭卡", "食堂 红烧肉 12元"],
        "tags": ["江北大学食堂涨价", "高校食堂", "大学生伙食费", "江北大学"],
        "nicks": ["江北大三狗", "干饭人小林", "二食堂常驻", "桃李园钉子户", "江北研一在读", "勤工俭学的阿泽", "江北新闻系小透明"],
        "open": {
            "neg": ["今天去食堂差点以为自己看错了价目表。", "江北的同学们，你们的饭卡还好吗。", "破防了。", "吐槽一下学校食堂。"],
            "neu": ["整理一下这次食堂调价的情况：", "说说我看到的情况。", "刚看到后勤的通知。"],
            "pos": ["可能要被骂，但还是想说两句。", "换个角度看看这事。", "我在食堂勤工俭学过一年，说点大家不知道的。"],
        },
        "body": {
            "neg": [
                "中午在二食堂打了一荤两素加米饭，刷完饭卡一看16块，愣在窗口半天。",
                "红烧肉从9块涨到12块，肉还是那几块，甚至感觉比以前更少了。",
                "连米饭都涨，一两八毛，男生吃三两就是两块四，真的离谱。",
                "每个月生活费就1500，这么一涨，我只能每天少吃一顿了。",
                "通知头一天晚上十点才贴出来，第二天直接执行，连个缓冲期都没有。",
                "涨价就算了，分量能不能别偷偷缩水？阿姨的勺子抖得更厉害了。",
                "现在点外卖用上红包比食堂还便宜，这合理吗？",
                "说是成本上涨，那能不能把采购明细公开一下？承包商赚多少大家心里没数吗？",
                "同样是禾丰餐饮承包，隔壁学校的价格比我们便宜一截，怎么解释？",
                "早餐肉包从一块五变两块，看着不多，一个月下来也是好几十。",
                "桃李园的麻辣烫按斤称，现在一碗随便就二十多，吃不起了。",
                "宣传片里说“让每个学生吃得起、吃得好”，现在只剩“吃得好”了吧，而且也未必。",
                "研究生补助一个月就那么点，食堂再涨真的扛不住。",
                "以前一个月伙食费900够了，照这个价格得奔着1300去了。",
                "最离谱的是青菜也换了小碗，说素菜不涨价，其实是换了个方式涨。",
                "家里条件一般，本来就靠勤工俭学贴补伙食，这下真的有点难。",
                "二食堂的番茄炒蛋从4块变5块，番茄还是那几片。",
                "全校都在骂，后勤公众号的评论区却一条都不放出来。",
            ],
            "neu": [
                "江北大学后勤集团11月17日晚发布通知，自18日起一食堂、二食堂和桃李园餐厅部分菜品价格上调。",
                "通知称调价原因是食材采购成本和人工成本持续上涨，荤菜上调1到2元不等，素菜基本不变。",
                "19|学生会发起的线上问卷收到4000多份回复，78%的同学表示不接受这次调价。",
                "目前一、二食堂都由禾丰餐饮承包，合同明年6月到期。",
                "按新价目表，一荤两素加二两米饭大概在14到16元之间。",
                "三食堂是学校自营的，这次没有调价，中午排队明显变长了。",
                "有同学对比了周边几所高校，调价后江北的荤菜价格处在中等偏上。",
                "据学生会统计，调价后荤菜均价从7块5左右涨到了9块左右。",
                "江北大学目前有四个学生食堂，只有三食堂是学校自营的。",
            ],
            "pos": [
                "说句可能挨骂的话，今年猪肉和菜价涨了不少，食堂一直不涨其实是在硬扛。",
                "食堂的阿姨叔叔也要涨工资的，完全不涨价不现实。",
                "跟校外比，十几块吃一荤两素还是挺良心的，别拿外卖补贴价比。",
                "19|学校保留了6块钱的平价套餐，还给困难学生加了餐补，这个回应我觉得及格。",
                "我在食堂勤工俭学过，后厨凌晨四点就开工，大家骂承包商可以，别骂打菜的阿姨。",
                "19|愿意开听证会就是好事，有问题摆到桌面上谈。",
                "二食堂最近换了厨师，菜确实比以前好吃，涨一块钱我能接受。",
                "去菜市场看看就知道，猪肉一斤都快三十了，食堂也不好做。",
                "比起偷偷减量，明着涨价反而更坦荡一点。",
                "三食堂没涨价，愿意排队的话还是有便宜饭吃，别太焦虑。",
                "19|平价窗口我今天去吃了，一荤两素管饱，味道也还行。",
            ],
        },
        "short": {
            "neg": ["饭卡余额肉眼可见地变少", "一份红烧肉12块，吃不起了", "食堂涨价，外卖狂喜", "今日午饭：16元的一荤两素", "阿姨，手别抖了"],
            "neu": ["实拍涨价后的食堂价目表", "江北大学食堂新价格一览", "中午12点的三食堂，排队排到门外"],
            "pos": ["19|6块钱平价套餐，真香", "其实食堂还是比外面便宜", "二食堂新菜打卡，味道在线"],
        },
        "follow": [
            "19|后勤集团回应了：保留每餐6元的平价窗口，家庭困难学生每月餐补增加100元。",
            "19~21|学校宣布米饭和早餐暂缓涨价，11月21日下午开师生听证会。",
            "21|听证会上后勤公开了部分采购单据，但学生代表说还不够细，要求按月公示。",
            "22|今天食堂门口换了新价目表，红烧肉回调到10块。",
            "20|平价窗口在一食堂一楼最里面，中午去晚了基本就没了。",
        ],
        "pre": [
            "听说下周食堂要涨价，是真的吗？有没有后勤的内部消息？",
            "二食堂阿姨今天偷偷跟我说，过两天红烧肉要涨价，先吃为敬。",
            "宿舍群里都在传后勤的调价通知截图，说红烧肉要涨到12块，真的假的？",
            "今天二食堂好几个窗口在换价签，被阿姨拦着不让拍，感觉要出事。",
            "问了一圈，学生会也说还没收到正式通知，先别慌吧。",
        ],
        "ask": [
            "19|平价窗口在哪个食堂几楼啊？",
            "研究生食堂也涨了吗？",
            "19~21|听证会的学生代表是怎么选的？",
            "其他学校的食堂现在什么价位？求对比。",
            "饭卡充值有没有优惠活动啊？",
        ],
        "close": {
            "neg": ["希望学校认真听听学生的意见。", "这顿饭吃得真憋屈。", "明天开始自己带饭了。"],
            "neu": ["19~21|坐等听证会结果。", "大家怎么看？"],
            "pos": ["理性讨论，别骂阿姨。", "能理解，但希望公开透明。"],
        },
        "deep": [
            "19|先把账算清楚。按学生会问卷，调价后一个学生每月伙食开销平均多出150元左右，对月生活费1500上下的同学来说，这是10%的额外负担，对困难学生更是实打实的压力。",
            "但成本上涨也是事实。今年猪肉价格同比涨了两成多，蔬菜受天气影响波动很大，加上最低工资标准上调，外包食堂的利润空间确实被压缩了。",
            "问题的关键不在于涨不涨，而在于程序。头天晚上发通知、第二天执行，没有征求意见，也没有公开成本数据，学生自然会怀疑是承包商借机抬价。",
            "19|比较合理的做法是：公开采购和人工成本，设置平价窗口兜底，对困难学生定向补贴，再通过听证会确定涨幅。这次学校后续的回应基本在往这个方向走，算是亡羊补牢。",
            "另外，高校食堂具有公益属性，很多地方都有财政补贴，学校也应该说明补贴是否还在、用在了哪里。",
        ],
        "zhihu_open": ["利益相关：江北大学在读。", "谢邀，在高校后勤干过几年。", "本科在江北，说说我的看法。"],
        "titles": {
            "xhs": ["n|江北大学食堂涨价后，一顿午饭16块📝@@刷完饭卡一看16块", "u|大学生省钱吃饭攻略｜食堂涨价版",
                    "p|19|食堂6元平价套餐，真的能吃饱吗？@@学校保留了6块钱的平价套餐", "n|红烧肉涨到12块，分量还变少了🙃@@红烧肉从9块涨到12块",
                    "n|月生活费1500怎么活？在线求助@@每个月生活费就1500", "n|食堂vs外卖，涨价后谁更划算@@点外卖用上红包",
                    "p|二食堂换厨师后的新菜打卡✨@@二食堂最近换了厨师"],
            "bili": ["u|【调查】江北大学食堂涨价后，一顿饭到底要多少钱@@一荤两素加二两米饭大概在", "n|挑战用15块在涨价后的食堂吃一天@@每个月生活费就1500",
                     "u|21|【实拍】食堂听证会现场@@听证会上后勤公开了", "u|对比周边几所高校的食堂价格@@对比了周边几所高校"],
            "zhihu": ["u|如何看待江北大学食堂集体涨价？", "u|高校食堂涨价合理吗？学生该如何理性表达？", "u|为什么外包后的高校食堂越来越贵？"],
            "tieba": ["u|食堂涨价了你们知道吗", "n|红烧肉12块？？？@@红烧肉从9块涨到12块", "u|19|平价窗口在哪@@平价窗口在哪个食堂", "u|19~21|听证会有人去吗",
                      "n|今天起自己带饭，有同好吗", "n|桃李园麻辣烫也太贵了吧@@桃李园的麻辣烫"],
        },
        "comments": {
            "neg": ["16块一顿，一天三顿快五十了", "阿姨的手是真的抖", "宿舍楼下外卖比食堂便宜多了", "米饭都涨是我没想到的",
                    "晚上十点发通知，懂的都懂", "承包商赚麻了", "困难学生怎么办啊", "隔壁学校才11块", "分量明显少了", "再涨就只能吃泡面了"],
            "neu": ["三食堂没涨，就是人多", "19|平价窗口在一食堂一楼", "~19|问卷链接有吗", "19~21|听证会周六下午", "研究生食堂也涨了",
                    "新价目表拍得挺清楚", "听说合同明年就到期了", "求个各窗口价格汇总"],
            "pos": ["其实比外面还是便宜", "别骂阿姨，跟她们没关系", "二食堂换了厨师真的好吃了", "19|能开听证会已经不错了",
                    "19|6元套餐我吃过，够了", "理解，菜价确实涨了", "19|学校这次回应还挺快", "19|餐补加了100，能缓一缓"],
        },
        "replies": ["哪个窗口？", "同意，关键是公开成本", "你是后勤派来的吧", "我也是这么想的", "你怕是没吃过桃李园", "+1",
                    "19~21|别吵了，周六听证会见", "真的假的"],
    },
    "en": {
        "keywords": ["Jiangbei University canteen prices", "Jiangbei canteen", "Jiangbei canteen price hike"],
        "tags": ["JiangbeiCanteen", "CampusLife"],
        "nicks": ["jiangbei_exchange_kim", "hungry_in_jiangbei", "lina_studies", "noodles_over_lectures"],
        "open": {
            "neg": ["The canteen price hike hit my wallet today.", "International student here, and this is rough.", "Okay, I need to vent about the Jiangbei canteen."],
            "neu": ["For those who haven't seen the notice:", "Quick rundown of the canteen situation:"],
            "pos": ["Slightly unpopular opinion:", "Let me play devil's advocate for a second."],
        },
        "body": {
            "neg": [
                "My usual lunch at the No. 2 canteen went from 12 to 16 yuan overnight.",
                "Braised pork is 12 yuan now and the portion looks smaller than before.",
                "Even rice costs more now. Rice!",
                "On a scholarship stipend, an extra 150 yuan a month on meals really adds up.",
                "The notice went up at 10pm and the new prices started the next morning. Zero warning.",
                "Food delivery with coupons is now cheaper than the dining hall. How does that make sense?",
                "If costs really went up, publish the numbers. Students aren't asking for much.",
                "The same contractor runs the canteen at the university next door and their meals are cheaper.",
                "I used to spend about 900 a month on food. At these prices it'll be closer to 1,300.",
                "Veggie dishes 'didn't go up', they just shrank the bowls.",
            ],
            "neu": [
                "Jiangbei University's logistics office says the increase reflects higher ingredient and labour costs.",
                "Meat dishes are up 1 to 2 yuan; most vegetable dishes stay the same.",
                "19|A student union survey found 78% of respondents oppose the new canteen prices.",
                "The No. 3 canteen, which the university runs itself, didn't raise prices, so the queues there are huge.",
                "Both main canteens are run by an outside contractor, Hefeng Catering, whose contract ends next June.",
            ],
            "pos": [
                "Honestly, 14 yuan for a meat dish, two veggies and rice is still cheap compared with anything off campus.",
                "Food costs went up everywhere this year, and the kitchen staff deserve raises too.",
                "19|The university kept a 6-yuan set meal and added a meal subsidy for students in need. That's a reasonable response.",
                "Please don't take it out on the servers. They don't set the prices.",
                "19|At least they're holding a public hearing. That's more than most universities do.",
                "Pork is nearly 30 yuan a jin at the market. Running a canteen isn't cheap.",
                "No. 3 canteen didn't raise prices, so there's still a cheap option if you don't mind the queue.",
            ],
        },
        "short": {
            "neg": ["My meal card balance is crying", "12-yuan braised pork. No thanks.", "Canteen lunch: now 16 yuan"],
            "neu": ["New canteen price list, for reference", "No. 3 canteen queue at noon, wow"],
            "pos": ["19|The 6-yuan set meal is actually decent 👍", "Still cheaper than eating out tbh"],
        },
        "follow": [
            "19|Update: the university is keeping a 6-yuan set meal and adding 100 yuan a month in meal subsidies for students in need.",
            "19~21|Rice and breakfast price rises are on hold, and there's a student hearing on Nov 21.",
            "21|At the hearing, the logistics office shared some purchase receipts, but student reps want monthly disclosure.",
            "22|Braised pork is back down to 10 yuan as of today.",
        ],
        "pre": [
            "Heard a rumour the canteen prices are going up next week. Anyone know if it's true?",
            "Screenshots of a draft canteen price notice are all over my dorm group chat. Is this real?",
            "Staff at the No. 2 canteen were swapping out price tags this afternoon. Something's coming.",
        ],
        "ask": [
            "19|Where is the 6-yuan set meal window?",
            "Did the grad student canteen raise prices too?",
            "How do Jiangbei's canteen prices compare with other universities?",
        ],
        "close": {
            "neg": ["Packing my own lunch from tomorrow.", "Students deserve better."],
            "neu": ["19~21|Let's see what comes out of the hearing.", "What do you all think?"],
            "pos": ["Be fair, but ask for transparency.", "Be kind to the kitchen staff."],
        },
        "deep": [
            "19|Do the maths: the student union estimates an extra 150 yuan a month per student. For someone living on 1,500, that's a 10% hit, and much worse for students from low-income families.",
            "Costs did rise: pork is up over 20% year on year and the minimum wage went up. But announcing at 10pm and enforcing the next day, with no cost data, is why students assume the contractor is profiteering.",
            "19|A better process would be: publish costs, keep a budget option, target subsidies, then agree increases through a hearing. The university's follow-up is heading that way, late as it is.",
        ],
        "zhihu_open": ["Disclosure: current Jiangbei student.", "I worked in university catering for a few years."],
        "titles": {
            "xhs": ["n|What I spend on canteen food now at Jiangbei@@went from 12 to 16 yuan", "u|Budget eating guide for students (price hike edition)",
                    "p|19|Tried the 6-yuan set meal so you don't have to@@kept a 6-yuan set meal", "n|Braised pork is 12 yuan now?!@@Braised pork is 12 yuan"],
            "bili": ["u|How much does a canteen meal cost now?@@Meat dishes are up 1 to 2 yuan", "n|Why students are angry about the Jiangbei canteen@@The notice went up at 10pm"],
            "zhihu": ["u|What do you think of Jiangbei University raising canteen prices?", "u|Is it fair for university canteens to raise prices?"],
            "tieba": ["n|Anyone else shocked by the new canteen prices?", "u|19|Where's the budget meal window?@@6-yuan set meal window"],
        },
        "comments": {
            "neg": ["16 yuan for lunch is wild", "The portions definitely got smaller", "Delivery is cheaper now, lol", "Publish the costs or it didn't happen",
                    "10pm notice, classic", "My stipend didn't go up, funny that", "The queue at No. 3 is insane now"],
            "neu": ["19|The 6-yuan meal is on the ground floor of canteen No. 1", "19~21|Hearing is Saturday afternoon", "Grad canteen went up too",
                    "Is there a link to the survey?", "Someone should make a price comparison sheet", "Contract ends next June apparently",
                    "Which canteen is this?"],
            "pos": ["Still cheaper than off campus", "Don't blame the servers", "The No. 2 canteen food did get better", "19|The hearing is a good sign",
                    "19|The subsidy bump helps a bit", "Fair enough, pork prices are crazy", "19|Quick response from the university tbh"],
        },
        "replies": ["Which window?", "Agreed, transparency is the key", "Same here", "You clearly haven't eaten there lately", "Fair enough",
                    "Thanks for the info", "Not everyone can afford that though", "+1"],
    },
    "official": [
        {"platform": "wb", "author": "江北大学后勤集团", "at": (17, 21, 58), "likes_mu": 7.0,
         "text": "【关于部分餐厅菜品价格调整的通知】受食材采购成本及人工成本持续上涨影响，自11月18日起，一食堂、二食堂及桃李园餐厅部分荤菜价格上调1—2元，米饭价格调整为每两0.8元，素菜价格基本保持不变。三食堂价格不作调整。感谢广大师生的理解与支持。"},
        {"platform": "wb", "author": "江北大学学生会", "at": (19, 12, 0), "likes_mu": 7.6,
         "text": "食堂调价问卷结果公布：共回收有效问卷4127份，其中78.3%的同学不接受本次调价，61%的同学认为菜品分量有所减少。我们已将结果提交后勤集团，并申请参加听证会。#江北大学食堂涨价#"},
        {"platform": "wb", "author": "江北大学后勤集团", "at": (19, 17, 30), "likes_mu": 8.2,
         "text": "关于同学们关心的食堂价格问题，回应如下：一、一食堂一楼设6元平价窗口，每餐供应一荤两素加米饭；二、家庭经济困难学生每月餐补增加100元；三、米饭及早餐暂缓调价；四、11月21日14:00在学术交流中心召开师生听证会，欢迎同学们报名参加。#江北大学食堂涨价#"},
    ],
    "news": [
        ("weibo", "zh", "江北大学食堂涨价", "江北大学多个食堂荤菜上调1至2元，米饭按两计价，学生称一顿饭最高涨到16元。", 18, 6),
        ("weibo", "zh", "大学食堂红烧肉涨到12元", "江北大学二食堂红烧肉由9元调至12元，相关话题引发高校学生热议。", 18, 14),
        ("weibo", "zh", "江北大学回应食堂涨价", "学校宣布设立6元平价窗口、增加困难学生餐补，并将召开师生听证会。", 19, 9),
        ("zhihu", "zh", "如何看待江北大学食堂集体涨价？", "知乎热榜问题，讨论高校食堂外包模式、成本公开与学生负担。", 18, 7),
        ("toutiao", "zh", "江北大学食堂调价引争议，学生问卷78%反对", "学生会问卷显示多数学生不接受调价，并认为菜品分量有所减少。", 19, 18),
        ("thepaper", "zh", "高校食堂为何越来越贵？外包模式下的成本账", "记者采访多所高校后勤人员，梳理食材、人工和承包费用对食堂价格的影响。", 20, 24),
        ("thepaper", "zh", "江北大学召开食堂价格听证会，红烧肉回调至10元", "听证会上后勤部门公开部分采购单据，学生代表要求按月公示成本。", 21, 15),
        ("weibo", "zh", "江北大学食堂听证会", "师生代表就食堂调价幅度、分量和成本公开等问题当面交流。", 21, 11),
        ("scmp", "en", "Chinese university's canteen price rise sparks student backlash", "Students at Jiangbei University say meal costs jumped by up to a third overnight.", 19, 30),
        ("bbc", "en", "Why a 3-yuan rise in canteen prices angered Chinese students", "A price notice posted late at night turned into a debate about campus costs and transparency.", 20, 37),
    ],
}

TOPICS["city-marathon"] = {
    "name": "2026滨海马拉松",
    "name_en": "2026 Binhai Marathon",
    "description": "3.2万人参加的滨海马拉松顺利举行，志愿者、沿途居民和医疗跑者的AED救援广受好评，男子组刷新赛道纪录；同时长时间交通管制和后半程补给不足引发吐槽。 / The 32,000-runner Binhai Marathon draws praise for volunteers, crowds and a life-saving medical response, plus a course record, alongside complaints about road closures and aid stations.",
    "break": 15,
    "break_hour": 8,
    "follow_from": 16,
    "day_weights": {10: 1, 11: 1, 12: 1, 13: 2, 14: 4, 15: 26, 16: 13, 17: 8, 18: 5, 19: 4, 20: 3, 21: 2, 22: 2, 23: 1},
    "sentiment": {"neg": 0.20, "neu": 0.20, "pos": 0.60},
    "anchors": {"zh": ["滨海", "马拉松"], "en": ["Binhai", "marathon"]},
    "signature": {
        "zh": ["马拉松", "滨海", "跑者", "志愿者", "补给", "配速", "封路", "交通管制", "号码布", "完赛", "赛道", "奖牌", "公里", "全马", "半马", "终点"],
        "en": ["Binhai", "marathon", "runner", "runners", "volunteer", "volunteers", "bib", "bibs", "medal", "finish line", "km",
               "road closures", "PB", "pacer", "aid station", "aid stations", "bay bridge"],
    },
    "zh": {
        "keywords": ["滨海马拉松", "滨海马拉松 封路", "滨海马拉松 志愿者", "滨海马拉松 AED"],
        "tags": ["滨海马拉松", "2026滨海马拉松", "跑步", "马拉松完赛", "滨海交通管制"],
        "nicks": ["夜跑的阿飞", "配速六分半", "滨海跑团老陈", "首马小白", "补给站志愿者小雨", "全马破四进行中", "海边慢跑的猫"],
        "open": {
            "neg": ["先说好，我不是反对办马拉松。", "住在赛道边上的人有话要说。", "吐槽几个问题，希望组委会看到。"],
            "neu": ["记录一下这次滨海马拉松。", "赛事信息整理：", "15|滨海马拉松的几点观察："],
            "pos": ["人生第一个全马，完赛了！", "滨海马拉松，今年也没让人失望。", "必须夸一夸这次的滨海。", "跑完回来腿是废的，心是满的。"],
        },
        "body": {
            "pos": [
                "第一次全马，4小时52分完赛，过终点那一刻眼泪根本止不住。",
                "滨海大道上的志愿者太热情了，一路喊加油，好几个小姑娘嗓子都喊哑了。",
                "海湾大桥那段风景绝了，太阳刚出来，海面一片金色，腿都忘了酸。",
                "35公里处有位跑者突然倒地，医疗跑者不到一分钟就冲上去做心肺复苏，还用上了AED，人已经脱离危险，这才是马拉松最该有的样子。",
                "补给站香蕉、橙子、能量胶管够，终点还有热乎乎的鱼丸汤，滨海是懂跑者的。",
                "半马PB了，1小时38分！全程跟着1小时40分的配速员，最后两公里冲了一把。",
                "奖牌是灯塔造型，拿在手里沉甸甸的，颜值今年能排进前三。",
                "沿途居民自发摆桌子发糖，还有大爷大妈敲锣打鼓，这座城市真的很有人情味。",
                "男子组冠军跑出2小时07分41秒，直接破了赛道纪录，现场看太震撼了。",
                "赛道上每隔两三公里就有移动厕所，排队最多两分钟，这个细节必须好评。",
                "陪爸爸跑完了他的第十个全马，六十岁的人比我还稳。",
                "许航跑出2小时12分30秒，国内选手第一，还破了个人最好成绩！",
                "跑到30公里撞墙的时候，路边一个小朋友递给我一颗糖，瞬间满血复活。",
                "志愿者小哥看我抽筋，二话不说蹲下帮我拉伸，真的谢谢你。",
                "第一次看到赛道边有乐队现场演奏，跑过去的时候忍不住跟着节奏加速。",
                "终点的冲线拍照区安排得很好，每个人都能拍到一张像样的照片。",
                "今年的完赛包很实用，毛巾、保温毯、香蕉、电解质水一应俱全。",
            ],
            "neg": [
                "封路从早上5点封到下午2点，我家就在滨海大道边上，带老人去医院绕了快一个小时。",
                "网约车进不来，公交全部绕行，提前一周通知了也没用啊，日子总得过吧。",
                "30公里之后的补给站水杯都没了，后面的跑者只能干等，关门前的选手就不是选手吗？",
                "存包处太乱，完赛后找包找了四十分钟，穿着湿衣服站在海风里冻得发抖。",
                "终点的接驳大巴排队排到怀疑人生，跑完42公里再站一个小时。",
                "年年说是城市名片，住在赛道边的居民谁问过我们的意见？",
                "中签率这么低，还有人在二手群倒卖号码布，组委会管管吧。",
                "今天开店的损失谁来算？整条街封了大半天，一个客人都没有。",
                "健康跑的起点人挤人，差点被绊倒，分区管理得再细一点吧。",
                "后半程逆风，补给站又隔得远，关门前那一批人真的很煎熬。",
                "早上五点就封了小区门口那条路，送孩子去上课只能走两公里去坐地铁。",
            ],
            "neu": [
                "2026滨海马拉松11月15日早上7点30分鸣枪，全马、半马和健康跑共3.2万人参赛。",
                "组委会介绍，本届共有4000名志愿者、300名医疗跑者，沿途设置18个补给站。",
                "比赛当天5点至14点，滨海大道、海湾大桥等路段实行交通管制，地铁1号线提前到5点半运营。",
                "比赛那天起跑时气温12度，海边风不小，后半程逆风，对成绩影响挺大。",
                "倒地的跑者已经脱离危险，目前在市第一医院观察。",
                "赛道从会展中心出发，沿滨海大道一路向南，过海湾大桥后折返，终点回到会展中心。",
                "完赛率大约是96%，比去年高了两个百分点。",
                "据组委会数据，全马男子组前十名里有四名国内选手。",
                "赛后组委会在会展中心设了按摩和拉伸区，排队的人不少。",
            ],
        },
        "short": {
            "pos": ["完赛！奖牌到手🏅", "海湾大桥的日出，值了", "终点的鱼丸汤，续命", "志愿者小姐姐太暖了", "半马PB，冲冲冲"],
            "neu": ["滨海马拉松起跑瞬间", "实拍35公里补给站", "~15|今天滨海大道交通管制，出门注意"],
            "neg": ["封路一上午，哪也去不了", "30公里后没水了，离谱", "接驳车排了一小时", "滨海马拉松存包处，乱成一锅粥"],
        },
        "follow": [
            "16|成绩证书可以下载了，官方照片也出了，快去搜自己的号码布。",
            "17~18|赛后第三天，下楼梯依然是螃蟹步。",
            "16|组委会发了致歉说明，明年会优化后半程补给和存包流程。",
            "18|救人的那位医疗跑者被市里表彰了，本人说“只是做了培训时练过无数遍的动作”。",
            "17|明年的报名据说会加名额，我先定个小目标，全马破四。",
        ],
        "pre": [
            "明天去会展中心领物，有没有一起的跑友？",
            "第一次中签滨海马拉松，紧张到睡不着。",
            "天气预报说周日12度有风，穿短袖还是长袖纠结中。",
            "领物顺利，十分钟搞定，号码布和灯塔纪念T恤都挺好看。",
            "赛前最后一次轻松跑，5公里，状态还行，周日见。",
            "周日住滨海大道附近的朋友记得提前安排出行，早上5点就开始交通管制了。",
            "滨海马拉松博览会逛了一圈，能量胶买了一大包，钱包瘦了。",
            "备赛四个月，周日就要检验成果了，目标全马破四！",
            "被拉去滨海马拉松当志愿者，负责25公里补给站，有没有同一站的？",
            "滨海马拉松的赛道图出来了，过海湾大桥那段看着就很出片，就是怕风大。",
            "号码布到手，分在C区，第一次全马，心里有点打鼓。",
            "赛前三天开始碳水加载，今天中午吃了两碗面，明天继续。",
        ],
        "ask": [
            "存包处在几号门？",
            "完赛奖牌有没有刻字服务？",
            "明年报名什么时候开始？",
            "官方照片在哪里查？",
            "有人知道关门时间是几点吗？",
        ],
        "close": {
            "pos": ["明年还来！", "滨海，明年见。", "感谢每一位志愿者。"],
            "neu": ["记录一下。", "以上，供参考。"],
            "neg": ["希望明年能改进。", "不是针对谁，就是希望考虑一下居民。"],
        },
        "deep": [
            "先说整体：作为一场3万人规模的城市马拉松，滨海今年的组织在国内算上游。赛道平坦、风景好，补给种类丰富，医疗配置尤其扎实，35公里处的救援从倒地到AED除颤不到四分钟，这是平时大量演练的结果。",
            "争议主要集中在两点：一是后半程补给不足，关门前的大众跑者体验明显下降；二是交通管制时间长，沿线居民和商户的出行、经营受到影响。",
            "交通管制其实可以更精细化，比如按赛段分时解封，前半程路段在最后一名跑者通过后尽快恢复通行，很多城市已经在这么做了。",
            "对城市来说，马拉松带来的酒店、餐饮消费和城市形象提升是真金白银，但也应该把居民的感受算进成本里，提前沟通、给受影响商户一些补偿，口碑会好很多。",
            "至于成绩，男子冠军2小时07分41秒在有风的情况下相当出色，许航的2小时12分30秒也说明国内精英选手在进步。",
        ],
        "zhihu_open": ["谢邀，跑龄八年，这次滨海全程跑下来了。", "利益相关：今年在补给站做志愿者。", "本地居民，也是跑者，说两句。"],
        "titles": {
            "xhs": ["p|人生首马｜滨海马拉松完赛记录🏅@@第一次全马，4小时52分完赛", "p|滨海马拉松奖牌也太好看了吧✨@@奖牌是灯塔造型",
                    "p|滨海的补给真的懂跑者@@补给站香蕉、橙子", "u|滨海马拉松赛道+交通管制攻略📌@@赛道从会展中心出发",
                    "p|半马PB！跟着配速员稳稳的@@半马PB了", "n|滨海马拉松存包踩坑记录@@存包处太乱", "p|海湾大桥的日出，值了一整年的训练@@海湾大桥那段风景绝了"],
            "bili": ["u|【第一视角】滨海马拉松全程42公里@@赛道从会展中心出发", "p|医疗跑者35公里AED救人，向他们致敬@@35公里处有位跑者突然倒地",
                     "p|【Vlog】陪爸爸跑完第十个全马@@陪爸爸跑完了", "p|滨海马拉松精英组冲线，破赛道纪录@@男子组冠军跑出"],
            "zhihu": ["u|如何评价2026滨海马拉松？", "u|城市马拉松长时间封路，居民的不便该如何平衡？"],
            "tieba": ["u|跑了滨海马拉松的都来报个成绩", "n|30公里后没水了有人遇到吗@@30公里之后的补给站", "n|封路封到下午两点合理吗@@封路从早上5点封到下午2点",
                      "p|灯塔奖牌晒一下@@奖牌是灯塔造型"],
        },
        "comments": {
            "pos": ["恭喜完赛！", "鱼丸汤真的绝", "志愿者辛苦了", "那个AED救人的视频看哭了", "明年我也要报", "奖牌确实好看",
                    "首马就破五，厉害", "海湾大桥那段太美了", "沿途的大爷大妈太可爱了", "配速员带得很稳"],
            "neu": ["存包在3号门", "16|照片在官方小程序里搜号码布", "关门时间是6个半小时", "明年三月开始报名", "海边风确实大",
                    "地铁1号线那天提前开了", "~15|完赛证书明天能下载"],
            "neg": ["我们小区门口封了一上午", "后面真的没水，我是喝的路人给的", "接驳车太少了", "住在旁边的真的没人管吗",
                    "号码布倒卖该查", "存包处那个乱啊", "店开了一天没生意"],
        },
        "replies": ["同感", "恭喜恭喜", "你几号门存的？", "一年就一次，忍忍吧", "说得轻巧，你来我家住一天试试", "确实可以分段解封",
                    "17|哈哈哈螃蟹步", "+1"],
    },
    "en": {
        "keywords": ["Binhai Marathon", "Binhai Marathon road closures", "Binhai Marathon volunteers"],
        "tags": ["BinhaiMarathon", "RaceDay", "Running"],
        "nicks": ["milesbymaya", "binhai_runner_tom", "sub4_or_bust", "salty_splits"],
        "open": {
            "pos": ["Finished my first ever marathon!", "Binhai Marathon, you were beautiful.", "Legs are dead, heart is full."],
            "neu": ["Race report from Binhai:", "Some notes from the Binhai Marathon:"],
            "neg": ["I love that the city hosts this, but:", "A few complaints, hoping the organisers read this."],
        },
        "body": {
            "pos": [
                "Crossed the finish line in 4:31 and cried like a baby.",
                "The volunteers at km 25 were handing out orange slices and high-fives. Absolute legends.",
                "Running over the bay bridge at sunrise was unreal.",
                "Huge respect to the medical team. A runner collapsed near km 35 and they had CPR and an AED going within a minute.",
                "Fish ball soup at the finish. Binhai knows runners.",
                "New course record on the men's side, 2:07:41, into a headwind!",
                "Half marathon PB, 1:38! Stuck to the 1:40 pacer and kicked the last 2 km.",
                "That lighthouse medal is gorgeous.",
                "Locals lined the streets with drums and candy. Such a warm city.",
                "Hit the wall at km 30 and a kid by the road handed me a candy. Instant second wind.",
                "A volunteer saw me cramping and stretched my calf right there on the road. Thank you, whoever you are.",
            ],
            "neg": [
                "Road closures from 5am to 2pm meant I couldn't get to my shift. Love the race, hate the logistics.",
                "Water ran out at the km 30 aid station. Back-of-pack runners deserve the same support.",
                "Bag collection was chaos. Forty minutes shivering in the sea wind looking for my bag.",
                "Shuttle bus queue at the finish took over an hour.",
                "Bibs being resold in group chats again. Sort it out, organisers.",
                "The fun run start was a crush. Proper start pens, please.",
            ],
            "neu": [
                "About 32,000 runners took part across the full, half and fun run.",
                "Organisers say 4,000 volunteers and 300 medical runners worked the course, with 18 aid stations.",
                "Binhai Avenue and the bay bridge were closed to traffic from 5am to 2pm.",
                "It was 12°C at the start with a strong headwind in the second half.",
                "The runner who collapsed is in stable condition at the city's No. 1 Hospital.",
            ],
        },
        "short": {
            "pos": ["Marathon done. Medal acquired 🏅", "Sunrise on the bay bridge. Worth every step.", "Shout-out to the volunteers ❤️"],
            "neu": ["Start line at the Binhai Marathon", "~15|Race day road closures, plan ahead"],
            "neg": ["Stuck behind road closures all morning", "No water after km 30?!"],
        },
        "follow": [
            "16|Official photos and finisher certificates are up. Search your bib number.",
            "17~18|Day three post-race and stairs are still my enemy.",
            "16|Organisers apologised for the water shortage and promised more aid in the second half next year.",
            "18|The medic who saved the collapsed runner was honoured by the city.",
        ],
        "pre": [
            "Bib pickup at the Binhai Marathon expo took ten minutes. Smooth!",
            "First time getting into the Binhai Marathon and I'm too nervous to sleep.",
            "Forecast for Sunday's marathon: 12°C and windy. Short sleeves or long?",
            "Volunteering at the km 25 aid station on Sunday. Come say hi if you're running Binhai!",
            "Course map for the Binhai Marathon is out. The bay bridge section looks gorgeous, just hoping the wind behaves.",
            "Carb loading for Sunday has officially begun. Third bowl of noodles today, no regrets.",
            "Got my Binhai Marathon bib: start pen C, first full marathon. Slightly terrified.",
            "Binhai Marathon expo haul: gels, a lighthouse T-shirt, and a much lighter wallet.",
        ],
        "ask": [
            "Where's the bag drop?",
            "When does registration for next year open?",
            "Where can I find the official race photos?",
        ],
        "close": {
            "pos": ["See you next year, Binhai!", "Thank you, volunteers."],
            "neu": ["That's my report."],
            "neg": ["Hope they fix this next year."],
        },
        "deep": [
            "Overall, Binhai is one of the better-run city marathons in China: flat, scenic, with excellent medical cover. The km 35 rescue, from collapse to defibrillation in under four minutes, is what drills are for.",
            "Two real issues: support for back-of-pack runners in the second half, and very long road closures. Phased reopening by section, as many cities already do, would ease a lot of resentment.",
            "On the elite side, 2:07:41 into a headwind is a serious time, and Xu Hang's 2:12:30 shows domestic runners closing the gap.",
        ],
        "zhihu_open": ["Ran it this year, with eight years of running behind me.", "I volunteered at an aid station this year."],
        "titles": {
            "xhs": ["p|My first marathon: Binhai race report 🏅@@Crossed the finish line in 4:31", "p|That lighthouse medal though ✨@@lighthouse medal",
                    "p|Sunrise over the bay bridge 🌅@@over the bay bridge at sunrise", "n|Binhai bag drop was a disaster@@Bag collection was chaos"],
            "bili": ["p|Medics save collapsed runner at km 35@@A runner collapsed near km 35", "p|Elite finish: course record at Binhai@@New course record"],
            "zhihu": ["u|How would you rate the 2026 Binhai Marathon?", "u|How should cities balance marathons and road closures?"],
            "tieba": ["u|Post your Binhai finish times here", "n|Anyone else run out of water after km 30?@@Water ran out at the km 30"],
        },
        "comments": {
            "pos": ["Congrats on finishing!", "That medal is stunning", "Thank you volunteers!", "The AED rescue video made me tear up",
                    "Signing up next year for sure", "Sub-5 on your first? Nice", "The bay bridge photos are unreal"],
            "neu": ["Bag drop was at gate 3", "16|Photos are searchable by bib number", "Cutoff was 6.5 hours", "Registration opens in March I think",
                    "The metro started early that day", "Windy for sure", "16|Certificates are downloadable now"],
            "neg": ["Our street was closed all morning", "Ran out of water at km 31 too", "The shuttle queue was brutal",
                    "Bag drop was a mess", "Nobody asked the residents", "Bib reselling is out of control", "Lost a whole day of business"],
        },
        "replies": ["Same!", "Congrats!", "It's one day a year, come on", "Easy to say if you don't live there", "Phased reopening would help",
                    "17|Haha the stairs struggle is real", "Which gate were you at?", "+1"],
    },
    "official": [
        {"platform": "wb", "author": "滨海马拉松组委会", "at": (13, 10, 0), "likes_mu": 6.6,
         "text": "【交通管制提示】11月15日（周日）5:00—14:00，滨海大道、海湾大桥、会展路等赛道沿线路段实行交通管制，部分公交线路临时绕行，地铁1号线首班车提前至5:30。请市民提前安排出行，感谢理解与支持！#滨海马拉松#"},
        {"platform": "wb", "author": "滨海交警", "at": (15, 6, 10), "likes_mu": 6.9,
         "text": "目前滨海大道、海湾大桥已按计划实施交通管制，请过往车辆绕行环城路。预计赛道将于13点后分段恢复通行。#滨海马拉松# #滨海交通管制#"},
        {"platform": "dy", "author": "滨海交通广播", "at": (15, 10, 20), "likes_mu": 10.3, "title": "35公里处跑者倒地，医疗跑者1分钟内施救",
         "text": "实拍：35公里处跑者突然倒地，医疗跑者1分钟内开始心肺复苏并使用AED，为他们点赞！ #滨海马拉松 #AED #致敬医疗跑者"},
        {"platform": "wb", "author": "滨海马拉松组委会", "at": (15, 19, 30), "likes_mu": 8.6,
         "text": "感谢3.2万名跑者、4000名志愿者和300名医疗跑者！2026滨海马拉松圆满落幕，男子全马冠军以2小时07分41秒刷新赛道纪录。关于后半程补给不足的问题，我们诚恳致歉，明年一定改进。#2026滨海马拉松#"},
    ],
    "news": [
        ("weibo", "zh", "滨海马拉松", "2026滨海马拉松11月15日开跑，3.2万名跑者参赛，海湾大桥日出画面刷屏。", 15, 2),
        ("weibo", "zh", "医疗跑者4分钟救回倒地跑者", "滨海马拉松35公里处一名跑者倒地，医疗跑者迅速实施心肺复苏并使用AED，跑者已脱离危险。", 15, 4),
        ("weibo", "zh", "滨海马拉松男子组破赛道纪录", "男子全马冠军以2小时07分41秒刷新滨海马拉松赛道纪录。", 15, 10),
        ("weibo", "zh", "滨海马拉松封路9小时引热议", "沿线居民和商户反映交通管制时间过长，网友讨论能否分段解封。", 16, 20),
        ("zhihu", "zh", "如何评价2026滨海马拉松？", "知乎热榜问题，跑者和本地居民讨论赛事组织、补给和交通管制。", 15, 8),
        ("toutiao", "zh", "3.2万人齐跑滨海，4000名志愿者全程保障", "本届滨海马拉松设18个补给站，300名医疗跑者分布全程。", 15, 13),
        ("thepaper", "zh", "滨海马拉松组委会就后半程补给不足致歉", "组委会称将在明年增加后半程补给并优化存包流程。", 16, 22),
        ("toutiao", "zh", "救人医疗跑者获市政府表彰", "在35公里处成功救助倒地跑者的医疗跑者获得见义勇为表彰。", 18, 31),
        ("reuters", "en", "Binhai Marathon: course record falls in windy conditions", "The men's winner ran 2:07:41 despite a strong headwind over the second half.", 15, 28),
        ("bbc", "en", "Medics praised after runner collapses at Binhai Marathon", "Medical runners began CPR within a minute and used a defibrillator on the course.", 16, 16),
    ],
}

TOPICS["ai-music-copyright"] = {
    "name": "AI歌曲《雨落青石巷》模仿苏念声音争议",
    "name_en": "AI song imitating singer Su Nian's voice",
    "description": "一首用妙声AI克隆歌手苏念音色生成的歌曲《雨落青石巷》在短视频平台爆火，苏念工作室声明从未授权，唱片公司发律师函、平台下架；粉丝、音乐人、律师围绕声音权和AI作品版权争论不休。 / An AI-generated song cloning singer Su Nian's voice goes viral; her studio says it was never authorised, platforms take it down, and fans, musicians and lawyers argue about voice rights and AI copyright.",
    "break": 20,
    "break_hour": 11,
    "follow_from": 21,
    "day_weights": {16: 1, 17: 2, 18: 3, 19: 3, 20: 24, 21: 16, 22: 10, 23: 8},
    "sentiment": {"neg": 0.38, "neu": 0.27, "pos": 0.35},
    "anchors": {"zh": ["苏念", "雨落青石巷", "妙声", "AI"], "en": ["Su Nian", "Bluestone", "VoxMuse", "AI"]},
    "signature": {
        "zh": ["AI", "版权", "苏念", "妙声", "音色", "歌手", "下架", "律师", "侵权", "雨落青石巷", "星河唱片", "著作权", "声音", "粉丝", "播放量"],
        "en": ["AI", "copyright", "Su Nian", "VoxMuse", "voice", "voices", "singer", "singers", "takedown", "takedowns", "lawyer",
               "lawyers", "song", "songs", "fans", "label", "Bluestone", "Xinghe", "infringement", "melody"],
    },
    "zh": {
        "keywords": ["苏念 AI 翻唱", "苏念 AI", "雨落青石巷 AI", "AI音乐 版权", "妙声AI 音色"],
        "tags": ["AI翻唱侵权", "苏念", "雨落青石巷", "AI音乐版权", "妙声AI"],
        "nicks": ["苏念的小念糕", "十年念粉", "夜里写歌的人", "伴唱阿May", "法学院小周", "做编曲的老K", "念念不忘的橙"],
        "open": {
            "neg": ["作为苏念十年老粉，忍不住说两句。", "这件事越想越不对劲。", "不是，这都能忍？", "我做了八年伴唱，这次是真的害怕了。"],
            "neu": ["理一下《雨落青石巷》事件的时间线：", "从法律角度聊聊这件事。", "苏念工作室的声明全文看完了。"],
            "pos": ["说点可能不太受欢迎的观点。", "别急着骂技术。", "先说清楚，我反对冒用音色。"],
        },
        "body": {
            "neg": [
                "没经过本人同意就拿苏念的声音做歌，还挂着“苏念新歌”的标题引流，这就是侵权，没什么好洗的。",
                "第一次刷到《雨落青石巷》，我第一反应是“她什么时候发新歌了”，第二反应是后背发凉。",
                "现在AI一键就能克隆音色，以后任何歌手的声音都可能被拿去唱任何东西，想想都可怕。",
                "20|妙声AI的“名人音色”模板早就有人举报过，平台装看不见，火了才下架。",
                "那个作者靠这首歌多了几十万关注，还开直播卖货，每一分钱都是踩着别人的声音赚的。",
                "做音乐的朋友说，现在接商单，甲方第一句就问“能不能用AI，便宜点”，行业真的冷了。",
                "评论区还有人说“反正好听就行”，等哪天你的声音被拿去做诈骗电话，你就不这么想了。",
                "苏念嗓子手术后休养了一年多，结果复出前先听到一首“自己”唱的歌，换谁都难受。",
                "21|下架有什么用，切片和搬运早就满天飞了，作者赚的钱一分没少。",
                "我妈到现在还以为苏念出了新歌，转给我问好不好听，解释了半天。",
                "把一个真实歌手的声音当成“素材”，这件事本身就不尊重人。",
                "克隆音色的门槛低到十几分钟，那明天是不是谁都能“唱”我的声音？",
                "评论区一堆“姐姐终于回来了”，看得我心里难受，她根本没唱过。",
                "说是“AI音乐实验”，可标题、封面全在蹭苏念的名字，这还叫实验？",
            ],
            "neu": [
                "《雨落青石巷》11月16日开始在短视频平台走红，一周播放量超过3000万。",
                "苏念工作室11月20日发布声明，称从未授权任何机构或个人使用其声音训练模型或生成作品。",
                "星河唱片表示，已向多家平台发出律师函，要求下架相关作品并保留追责权利。",
                "律师解读：根据民法典第1023条，对自然人声音的保护参照肖像权，未经许可模仿他人声音用于传播可能构成侵权。",
                "另一个争议点是AI生成的歌曲本身有没有著作权，目前各地判例还不太统一。",
                "21|妙声AI回应称已暂停“名人音色”功能，并上线声纹授权验证。",
                "据报道，上传者“夜航船”用妙声AI的音色克隆功能，十几分钟就生成了整首歌。",
                "有音乐博主做了频谱对比，AI版本在高音区的泛音和苏念本人有明显差异。",
                "据统计，《雨落青石巷》相关的二创视频已经超过两万条。",
                "上传者“夜航船”此前发过多首AI作品，但这是第一次使用真人歌手的音色。",
            ],
            "pos": [
                "客观说，这首歌的旋律和歌词确实写得好，问题出在用了谁的声音，而不是用了AI。",
                "AI作曲工具本身没有错，错的是冒用真人音色，希望别一棍子把整个技术打死。",
                "苏念工作室的声明写得很克制，维权归维权，也没有指责听众，好感度加一。",
                "21|平台这次下架速度挺快，说明规则在一点点完善，是好事。",
                "我用AI给自己的原创做过伴奏小样，省了一大笔钱，独立音乐人也需要这些工具。",
                "21|作者出来道歉了，承认没想清楚后果，态度还算诚恳，大家别网暴了。",
                "要是以后歌手能正式授权自己的AI音色、按播放分成，说不定是双赢。",
                "这件事至少让很多人第一次认真想了声音到底属于谁，算是一次很好的普法。",
                "苏念工作室没有上来就开骂，而是先感谢大家喜欢这首歌，格局很大。",
                "AI能帮普通人把脑子里的旋律做出来，这本身是很美好的事，只是别越界。",
                "如果苏念愿意出一版正式的《雨落青石巷》，我第一个买。",
            ],
        },
        "short": {
            "neg": ["这不是苏念，这是AI", "未经授权克隆音色=侵权", "好听也不能乱用别人的声音", "21|下架了，但切片还满天飞"],
            "neu": ["《雨落青石巷》事件时间线", "律师：声音也受法律保护", "21|妙声AI暂停名人音色功能"],
            "pos": ["旋律是真的好听，可惜了", "支持苏念维权，也支持AI好好发展", "23|苏念清唱原声，鸡皮疙瘩起来了"],
        },
        "follow": [
            "21|现在搜“雨落青石巷”已经搜不到原版了，只剩一堆切片和二创。",
            "22|听说已经有唱片公司开始在合约里加“AI声音授权”条款了，这可能才是以后的常态。",
            "21|夜航船发了道歉视频，说会把这首歌的收益全部捐出去。",
            "22|妙声AI更新了用户协议，上传音色样本需要本人实名认证。",
            "23|苏念昨晚直播清唱了一段《雨落青石巷》，弹幕全在刷“这才是原声”。",
        ],
        "pre": [
            "最近刷到一首《雨落青石巷》，声音好像苏念啊，是她的新歌吗？",
            "《雨落青石巷》循环一晚上了，苏念的嗓子还是那么绝，可是怎么在音乐平台上搜不到？",
            "有人说《雨落青石巷》是AI做的，我不信，这气口、这尾音，明明就是苏念本人。",
            "扒了一下，《雨落青石巷》的上传者“夜航船”简介里写着“AI音乐实验”，这……",
            "苏念工作室到现在都没回应，粉丝群已经吵翻了。",
            "《雨落青石巷》副歌那一下转音，苏念近几年都没这么唱过了吧，总觉得哪里怪怪的。",
            "刚发现妙声AI里有个“苏念风”的音色模板，点进去试了一下，吓了一跳，太像了。",
            "《雨落青石巷》播放量破千万了，评论区一半在喊“姐姐回来了”，一半在说是AI。",
            "在好几个音乐平台搜了《雨落青石巷》，都没有苏念的官方版本，越来越觉得不对劲。",
            "苏念的粉丝群今晚吵了一晚上，一派说是没公开的demo，一派说是AI合成。",
            "有人扒出《雨落青石巷》的上传时间是凌晨三点，账号之前全是各种“AI翻唱”，懂了。",
        ],
        "ask": [
            "如果我用AI做了首歌，音色只是“有点像”某位歌手，也算侵权吗？",
            "用了这首歌的二创视频会不会被追责？",
            "AI生成的歌到底有没有版权，归谁？",
            "妙声AI上那些声音模型是怎么训练出来的？",
        ],
        "close": {
            "neg": ["支持苏念维权到底。", "声音不是谁都能拿去用的。", "希望这次能判出个样板。"],
            "neu": ["等后续。", "欢迎懂法的朋友补充。"],
            "pos": ["技术无罪，用法有界。", "希望规则快点跟上。"],
        },
        "deep": [
            "先说法律层面。民法典第1023条明确，对自然人声音的保护参照适用肖像权的规定。也就是说，只要公众能通过AI生成的声音识别出是苏念，未经许可用于传播、营利，就很可能构成侵权，这一点争议不大。",
            "真正复杂的是作品本身的权属。旋律和歌词如果是上传者自己写的，他对词曲可能享有著作权；但如果整首歌从旋律到演唱都由AI生成，人的创作投入有多少，就成了能否受保护的关键。",
            "平台责任也绕不开。妙声AI提供“名人音色”模板，本身就在为侵权提供便利；短视频平台在收到通知后及时下架，可以适用避风港规则，但如果明知热度来自冒用音色还主动推流，就很难免责。",
            "对行业来说，这件事的意义在于逼出一套授权机制：歌手可以主动授权自己的声音模型，按使用量分成，既保护权利，也给技术留了空间。",
            "最后说听众。好听是真的，但我们享受的每一秒，都建立在一个没被问过意见的人身上，这一点值得每个转发的人想一想。",
        ],
        "zhihu_open": ["谢邀，知识产权律师，简单说几句。", "利益相关：独立音乐人，用过妙声AI。", "苏念老粉，也在法学院读书。"],
        "titles": {
            "xhs": ["u|苏念AI歌曲事件，我想说几句真心话", "n|粉丝视角：第一次听到“假苏念”的感受😢@@第一次刷到《雨落青石巷》",
                    "p|独立音乐人怎么合规地用AI？@@我用AI给自己的原创做过伴奏小样", "u|一文看懂《雨落青石巷》事件📌@@11月16日开始在短视频平台走红",
                    "n|AI克隆音色有多可怕？@@现在AI一键就能克隆音色", "p|23|苏念清唱《雨落青石巷》，原声太好哭了🥹@@苏念昨晚直播清唱",
                    "n|做音乐的朋友跟我说，行业真的冷了@@接商单"],
            "bili": ["u|【律师解读】AI模仿歌手声音到底违不违法@@根据民法典第1023条", "u|原声vs AI：《雨落青石巷》逐句对比",
                     "u|21|【时间线】《雨落青石巷》从爆火到下架@@11月16日开始在短视频平台走红", "p|AI作曲工具有错吗？聊聊我的看法@@AI作曲工具本身没有错"],
            "zhihu": ["u|如何看待AI歌曲《雨落青石巷》模仿苏念声音引发的争议？", "u|用AI模仿歌手声音唱歌，算侵权吗？", "u|AI生成的音乐作品有没有著作权？"],
            "tieba": ["u|苏念吧的朋友们，工作室声明出了@@苏念工作室11月20日发布声明", "u|AI克隆音色这事你们怎么看", "u|21|下架了，有没有存档的",
                      "n|那个上传者赚了多少啊@@那个作者靠这首歌"],
        },
        "comments": {
            "neg": ["好听也不行，这是偷", "作者赚得盆满钵满", "平台早干嘛去了", "老粉真的会被骗到", "以后打电话都不敢信声音了",
                    "必须起诉", "切片还在到处传", "把名人音色做成模板本身就有问题"],
            "neu": ["民法典1023条了解一下", "工作室声明在置顶", "上传者已经改名了", "21|妙声AI那个功能已经下线了", "二创能不能用还得看平台规定",
                    "蹲一个律师的详细解读", "21|原视频已经404了"],
            "pos": ["旋律确实好听", "技术没错，错的是人", "23|苏念清唱那段绝了", "声明写得很有分寸", "支持授权分成模式", "21|作者道歉了就别网暴了",
                    "希望苏念借这个机会发首新歌", "21|平台这次反应挺快"],
        },
        "replies": ["同意", "好听就能偷吗？", "你没被冒用过当然这么说", "说得在理", "哪里能看声明？", "+1", "这就是问题所在", "律师都这么说了"],
    },
    "en": {
        "keywords": ["Su Nian AI song", "Su Nian", "AI voice clone copyright", "VoxMuse Su Nian"],
        "tags": ["SuNian", "AIMusic", "VoiceRights"],
        "nicks": ["nian_forever", "sessionvox_ella", "ip_law_notes", "bedroom_producer_j"],
        "open": {
            "neg": ["Someone cloned Su Nian's voice and the internet fell for it.", "As a session singer, this one scares me.", "I can't believe people are defending this."],
            "neu": ["Timeline of the 'Rain on Bluestone Lane' mess:", "Some legal context on the Su Nian AI song:"],
            "pos": ["Unpopular opinion incoming.", "Let's separate the tech from the misuse."],
        },
        "body": {
            "neg": [
                "Someone used VoxMuse to clone Su Nian's voice, posted a song, and half the internet thought it was her new single.",
                "My voice is my livelihood. If anyone can clone it in ten minutes, what's left for singers like me?",
                "VoxMuse's 'celebrity voice' presets were reported months ago. Nothing happened until it went viral.",
                "The uploader picked up hundreds of thousands of followers off someone else's voice.",
                "21|Taking it down now doesn't help much. Clips and reuploads are everywhere.",
                "Su Nian spent a year recovering from vocal surgery, and her comeback got hijacked by a fake.",
                "My mum still thinks Su Nian dropped a new single. I had to explain it three times.",
                "Calling it an 'AI music experiment' while using her name in the title and thumbnail is not an experiment.",
            ],
            "neu": [
                "'Rain on Bluestone Lane' started spreading on short-video platforms on Nov 16 and passed 30 million plays within a week.",
                "Su Nian's studio says she never authorised anyone to use her voice to train models or generate songs.",
                "Her label, Xinghe Records, has sent legal notices to several platforms demanding takedowns.",
                "Lawyers point to Article 1023 of China's Civil Code, which protects a person's voice in a similar way to their likeness.",
                "Whether an AI-generated song can be protected by copyright at all is still unsettled.",
                "21|VoxMuse has paused its celebrity voice presets and says it will require voiceprint authorisation.",
                "A music blogger's spectrogram comparison shows clear differences from Su Nian in the upper register.",
            ],
            "pos": [
                "The melody is genuinely lovely. The problem isn't AI, it's using a real person's voice without consent.",
                "I use AI tools to make demo backing tracks for my own songs. Please don't ban the whole category over one bad actor.",
                "Su Nian's statement was measured and classy. Firm on the infringement, kind to listeners.",
                "21|Platforms pulled it within a day of the notice. That's progress.",
                "21|The uploader apologised and said he'd donate the earnings. Let's not turn this into a pile-on.",
                "If Su Nian ever records an official version, I'm buying it on day one.",
                "Honestly this has been a crash course in voice rights for a lot of people. That's a good thing.",
            ],
        },
        "short": {
            "neg": ["That's not Su Nian. That's a clone.", "Consent matters, even for voices.", "21|Taken down, but reuploads are everywhere"],
            "neu": ["The 'Rain on Bluestone Lane' timeline", "Lawyer explains voice rights in 60 seconds"],
            "pos": ["Lovely melody, shame about the stolen voice", "23|Su Nian singing it live > any AI"],
        },
        "follow": [
            "21|Searching the song title now only brings up clips and reaction videos.",
            "22|Some labels are reportedly adding AI voice licensing clauses to artist contracts.",
            "21|The uploader posted an apology video and promised to donate the song's earnings.",
            "23|Su Nian sang a few lines of it on her livestream last night and chat went wild.",
        ],
        "pre": [
            "Is 'Rain on Bluestone Lane' a new Su Nian single? Can't find it on any streaming service.",
            "People are saying 'Rain on Bluestone Lane' is AI. No way, that breathiness is so her.",
            "Just found a 'Su Nian style' voice preset on VoxMuse. Tried it. It's creepy how close it is.",
            "'Rain on Bluestone Lane' is all over my feed and Su Nian's team still hasn't said a word.",
            "Searched three music services for 'Rain on Bluestone Lane'. No official Su Nian release anywhere. Suspicious.",
            "Su Nian fan chats are split tonight: leaked demo or AI clone?",
            "The account that posted 'Rain on Bluestone Lane' has nothing but 'AI covers' in its history. That settles it for me.",
        ],
        "ask": [
            "If an AI voice only 'sort of' sounds like a singer, is that still infringement?",
            "Who owns a song written with AI? Anyone?",
            "Are reaction videos that used the song going to get struck?",
        ],
        "close": {
            "neg": ["Consent first.", "Standing with Su Nian."],
            "neu": ["Will be watching how this plays out."],
            "pos": ["Tools aren't the villain. Misuse is."],
        },
        "deep": [
            "Legally, the voice question is the easy part: under Article 1023 of the Civil Code, if listeners can identify Su Nian from the AI voice, using it publicly without permission is very likely infringement.",
            "The harder question is who owns the song itself. If the uploader wrote the melody and lyrics, he may hold rights in those; if the AI generated everything, the human contribution may be too thin to protect.",
            "Longer term, the fix is licensing: singers opt in to official voice models and get paid per use. That protects artists without killing the tools.",
        ],
        "zhihu_open": ["IP lawyer here, briefly.", "Indie musician, and I've used VoxMuse."],
        "titles": {
            "xhs": ["u|My honest thoughts on the Su Nian AI song", "n|Fan POV: the fake Su Nian fooled me 😢@@half the internet thought",
                    "p|How indie musicians can use AI tools responsibly@@demo backing tracks", "u|Rain on Bluestone Lane, explained 📌@@started spreading on short-video"],
            "bili": ["u|[Lawyer explains] Is cloning a singer's voice illegal?@@Article 1023", "u|Real vs AI: line-by-line comparison"],
            "zhihu": ["u|What do you make of the AI song imitating Su Nian's voice?", "u|Is using AI to imitate a singer's voice infringement?"],
            "tieba": ["u|AI voice cloning: where do you stand?", "u|Su Nian's studio statement is out@@never authorised anyone"],
        },
        "comments": {
            "neg": ["Pretty doesn't make it okay", "The uploader made bank off this", "Where were the platforms months ago?", "I genuinely thought it was her",
                    "Scam calls with cloned voices are next", "Reuploads are still everywhere", "Celebrity presets should never have existed"],
            "neu": ["Article 1023, look it up", "The statement is pinned on her studio's page", "21|VoxMuse pulled the preset already",
                    "Waiting for a proper legal breakdown", "21|Original upload is gone now", "Depends on the platform's rules for remixes",
                    "Who trained the model though?"],
            "pos": ["The melody really is good", "Blame the person, not the tool", "23|Her live version gave me chills", "Licensing with revenue share makes sense",
                    "Her studio handled it well", "21|He apologised, let it go", "21|Quick takedown, credit to the platforms"],
        },
        "replies": ["Agreed", "So stealing is fine if it sounds nice?", "Easy to say when it's not your voice", "Fair point", "Link to the statement?",
                    "This is exactly the issue", "Lawyers seem to agree with you", "+1"],
    },
    "official": [
        {"platform": "wb", "author": "苏念工作室", "at": (20, 11, 0), "likes_mu": 10.8,
         "text": "【声明】近期网络流传的《雨落青石巷》等作品，系他人利用AI技术模仿苏念女士声音生成，苏念女士从未演唱该作品，亦从未授权任何机构或个人使用其声音训练模型或生成内容。上述行为已侵犯苏念女士的合法权益，我方已委托律师处理。感谢大家的喜欢，也请支持原创、尊重每一个声音。"},
        {"platform": "wb", "author": "星河唱片", "at": (20, 15, 20), "likes_mu": 8.0,
         "text": "我司已就《雨落青石巷》相关侵权内容向多家平台发出律师函，要求立即下架，并保留追究法律责任的权利。#苏念# #AI翻唱侵权#"},
        {"platform": "dy", "author": "科技观察室", "at": (20, 19, 45), "likes_mu": 8.6, "title": "AI一键克隆歌手声音？边界在哪里",
         "text": "AI一键克隆歌手声音？《雨落青石巷》事件告诉你边界在哪里。 #AI音乐版权 #苏念 #雨落青石巷"},
        {"platform": "wb", "author": "妙声AI", "at": (21, 10, 0), "likes_mu": 8.4,
         "text": "关于近期用户利用“名人音色”模板生成内容引发的争议，我们深表歉意。即日起暂停全部名人音色模板，上线声纹授权验证机制，未经本人授权的音色模型将不再允许发布。#妙声AI#"},
    ],
    "news": [
        ("weibo", "zh", "苏念工作室声明", "苏念工作室发布声明，称《雨落青石巷》系他人利用AI模仿其声音生成，从未授权。", 20, 1),
        ("weibo", "zh", "雨落青石巷是AI生成", "网友扒出爆火歌曲《雨落青石巷》上传者简介写有“AI音乐实验”，并非苏念本人演唱。", 19, 12),
        ("weibo", "zh", "妙声AI暂停名人音色", "妙声AI道歉并暂停全部名人音色模板，上线声纹授权验证。", 21, 7),
        ("zhihu", "zh", "如何看待AI歌曲《雨落青石巷》模仿苏念声音引发的争议？", "知乎热榜问题，律师、音乐人和歌迷讨论声音权与AI作品著作权。", 20, 3),
        ("toutiao", "zh", "星河唱片向多家平台发律师函，《雨落青石巷》被下架", "多家短视频和音乐平台已下架相关作品，部分搬运内容仍在传播。", 20, 9),
        ("thepaper", "zh", "AI模仿歌手声音是否侵权？律师：声音受民法典保护", "律师指出，未经许可使用可识别的他人声音用于传播可能构成侵权。", 21, 18),
        ("weibo", "zh", "苏念直播清唱雨落青石巷", "苏念在直播中清唱了《雨落青石巷》片段，网友称“这才是原声”。", 22, 5),
        ("thepaper", "zh", "唱片公司开始在合约中加入AI声音授权条款", "多家唱片公司表示正在研究歌手AI声音模型的授权和分成机制。", 23, 35),
        ("reuters", "en", "Chinese singer Su Nian's label targets AI song that cloned her voice", "Xinghe Records sent legal notices to platforms hosting 'Rain on Bluestone Lane'.", 20, 23),
        ("bbc", "en", "AI voice clone of Chinese star Su Nian fools millions", "The song passed 30 million plays before her studio said she had never sung it.", 21, 14),
    ],
}

ZHIHU_SEP = "\n\n"

# Comments for posts published before a story broke (rumours, race preparation, ...)
PRE_COMMENTS = {
    "ev-battery-recall": {
        "zh": ["视频我也刷到了，看着挺吓人", "等官方说法吧", "别自己吓自己，说不定是别的车", "我也是S7，今晚先去慢充了", "车主群里已经在传了"],
        "en": ["Saw it too, looked scary", "Wait for an official statement", "Same model here, now I'm nervous", "Could be a different make, who knows"],
    },
    "canteen-prices": {
        "zh": ["真的假的，别吓我", "红烧肉我先冲了", "十点发通知也太离谱了", "蹲一个后续", "完了，饭卡得多充点了"],
        "en": ["Please be a rumour", "10pm notice, seriously?", "Following", "My wallet is already crying"],
    },
    "city-marathon": {
        "zh": ["加油！周日见", "穿短袖加袖套就行", "领物人多吗？", "预祝破四！", "我也在25公里那站", "早点睡，别熬夜"],
        "en": ["Good luck on Sunday!", "Short sleeves plus arm warmers", "See you at the start line", "You've got this!"],
    },
    "ai-music-copyright": {
        "zh": ["我也以为是她的新歌", "听着确实有点怪", "不会真是AI吧", "坐等工作室回应", "这转音不像她的习惯"],
        "en": ["I thought it was her too", "Something felt off about the vibrato", "Waiting for her team to respond", "No way this is AI"],
    },
}

GATE = re.compile(r"^(\d+)?(?:~(\d+))?\|")


def gated(s: str):
    """Split an optional day gate "NN|", "~NN|" or "NN~MM|" off a pool entry."""
    m = GATE.match(s)
    if not m or (m.group(1) is None and m.group(2) is None):
        return 0, 99, s
    lo = int(m.group(1)) if m.group(1) else 0
    hi = int(m.group(2)) if m.group(2) else 99
    return lo, hi, s[m.end():]


def avail(pool, d):
    out = []
    for s in pool:
        lo, hi, t = gated(s)
        if lo <= d <= hi:
            out.append(t)
    return out


def parse_title(spec: str):
    sent, rest = spec.split("|", 1)
    lo, hi, rest = gated(rest)
    key = None
    if "@@" in rest:
        rest, key = rest.split("@@", 1)
    return sent, lo, hi, rest, key


def core(text: str) -> str:
    """Text without hashtags, bracket emoticons, emoji and punctuation (for near-duplicate checks)."""
    t = re.sub(r"#[^#\s]+(?:\[话题\])?#?|\[[^\]]{1,4}\]", "", text)
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]", "", t).lower()


def grams(s: str, lang: str):
    if lang == "zh":
        cjk = re.sub(r"[^\u4e00-\u9fff]", "", s)
        return {cjk[i:i + 3] for i in range(len(cjk) - 2)}
    w = re.findall(r"[a-z0-9']+", s.lower())
    return {" ".join(w[i:i + 2]) for i in range(len(w) - 1)}

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


class Picker:
    """Picks the least-used items first so that pools are spread evenly."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: Counter = Counter()

    def pick(self, pool, k=1, exclude=()):
        cands = [x for x in pool if x not in exclude]
        if not cands:
            return []
        self.rng.shuffle(cands)
        cands.sort(key=lambda x: self.used[x])
        out = cands[:k]
        for x in out:
            self.used[x] += 1
        return out

    def one(self, pool, exclude=()):
        got = self.pick(pool, 1, exclude)
        return got[0] if got else None


def digits(rng, n, first="123456789"):
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def hexid(rng, ts: datetime | None = None):
    head = format(int(ts.timestamp()), "08x") if ts else "".join(rng.choice("0123456789abcdef") for _ in range(8))
    return head + "".join(rng.choice("0123456789abcdef") for _ in range(16))


B58 = "fZodR9XQDSUm7GxWEVNhHT6rcAgvyeKbjsYn3FLiM5pwqBJkz2Pt1u8a"


def bvid(rng):
    c = lambda: rng.choice(B58)  # noqa: E731
    return "BV1" + c() + c() + "4" + c() + "1" + c() + "7" + c() + c()


def ksid(rng):
    return "3x" + "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(13))


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def day(d: int) -> datetime:
    return datetime(2026, 11, d, tzinfo=TZ)


# --------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------


class Gen:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.pk = Picker(self.rng)
        self.used_ids = defaultdict(set)
        self.authors = {}  # (platform, nick) -> id
        self.texts = set()  # near-duplicate keys, see core()
        self.zhihu_q = {}

    # ---- ids -------------------------------------------------------------
    def _unique(self, platform, kind, make):
        while True:
            v = make()
            if v not in self.used_ids[(platform, kind)]:
                self.used_ids[(platform, kind)].add(v)
                return v

    def post_id(self, platform, ts):
        r = self.rng
        make = {
            "wb": lambda: "50" + digits(r, 14, "0123456789"),
            "xhs": lambda: hexid(r, ts),
            "dy": lambda: "76" + digits(r, 17, "0123456789"),
            "bili": lambda: bvid(r),
            "zhihu": lambda: "3" + digits(r, 9, "0123456789"),
            "tieba": lambda: "9" + digits(r, 9, "0123456789"),
            "ks": lambda: ksid(r),
        }[platform]
        return self._unique(platform, "item", make)

    def comment_id(self, platform, ts):
        r = self.rng
        make = {
            "wb": lambda: "50" + digits(r, 14, "0123456789"),
            "xhs": lambda: hexid(r, ts),
            "dy": lambda: "76" + digits(r, 17, "0123456789"),
            "bili": lambda: "2" + digits(r, 10, "0123456789"),
            "zhihu": lambda: "1" + digits(r, 10, "0123456789"),
            "tieba": lambda: "15" + digits(r, 10, "0123456789"),
            "ks": lambda: "8" + digits(r, 11, "0123456789"),
        }[platform]
        return self._unique(platform, "item", make)

    def author_id(self, platform, nick):
        key = (platform, nick)
        if key in self.authors:
            return self.authors[key]
        r = self.rng
        make = {
            "wb": lambda: r.choice("567") + digits(r, 9, "0123456789"),
            "xhs": lambda: hexid(r, datetime(2019, 1, 1, tzinfo=TZ) + timedelta(seconds=r.randint(0, 200_000_000))),
            "dy": lambda: digits(r, 11),
            "bili": lambda: digits(r, r.choice([8, 9, 10])),
            "zhihu": lambda: "".join(r.choice("0123456789abcdef") for _ in range(32)),
            "tieba": lambda: digits(r, 10),
            "ks": lambda: ksid(r),
        }[platform]
        aid = self._unique(platform, "author", make)
        self.authors[key] = aid
        return aid

    # ---- nicknames -------------------------------------------------------
    def nickname(self, lang, platform, topic):
        r = self.rng
        x = r.random()
        if x < 0.14:
            return r.choice(TOPICS[topic][lang]["nicks"])
        if lang == "zh":
            if platform == "wb" and x < 0.24:
                return "用户" + digits(r, 10)
            y = r.random()
            if y < 0.35:
                return r.choice(ZH_ADJ) + r.choice(ZH_NOUN)
            if y < 0.65:
                return r.choice(ZH_HANDLE) + r.choice(["", "_", "-", ""]) + str(r.randint(1, 9999))
            return r.choice(ZH_PHRASE) + r.choice(["", "", "呀", str(r.randint(1, 99))])
        y = r.random()
        f, l = r.choice(EN_FIRST), r.choice(EN_LAST)
        if y < 0.3:
            return f"{f}_{l}"
        if y < 0.55:
            return f"{f}{r.randint(1, 99)}"
        if y < 0.8:
            return f"{r.choice(EN_ADJ)}{r.choice(EN_NOUN)}"
        return f"{f.capitalize()} {l.upper()[0]}."

    # ---- text helpers ----------------------------------------------------
    def emoji(self, lang, platform, sent):
        if lang == "en":
            return self.rng.choice(EMOJI["en"]["any"][sent])
        pool = EMOJI["zh"][platform][sent] or EMOJI["zh"][platform]["neu"]
        return self.rng.choice(pool) if pool else ""

    def hashtags(self, platform, tags, n):
        chosen = self.rng.sample(tags, min(n, len(tags)))
        if platform == "wb":
            return ["#" + t + "#" for t in chosen]
        if platform == "xhs":
            return ["#" + t + "[话题]#" for t in chosen]
        return ["#" + t for t in chosen]

    @staticmethod
    def fill(s, slots):
        return s.replace("{m}", str(slots["m"]))

    def one(self, pool, d, exclude=()):
        return self.pk.one(avail(pool, d), exclude)

    def find_key(self, T, key, d):
        pools = [T["body"]["neg"], T["body"]["neu"], T["body"]["pos"], T["follow"]]
        for pool in pools:
            for s in avail(pool, d):
                if key in s:
                    return s
        return None

    def choose_title(self, topic, lang, platform, sent, d):
        """Returns (title template, required body sentence or None)."""
        T = TOPICS[topic][lang]
        ok = []
        for spec in T["titles"][platform]:
            s, lo, hi, title, key = parse_title(spec)
            if not (lo <= d <= hi) or s not in ("u", {"neg": "n", "pos": "p"}.get(sent)):
                continue
            must = self.find_key(T, key, d) if key else None
            if key and must is None:
                continue
            ok.append((title, must))
        if not ok:
            return None, None
        title = self.pk.one([t for t, _ in ok])
        return title, dict(ok)[title]

    @staticmethod
    def end_en(s):
        return s if s[-1] in ".!?:…)'\"" or not s[-1].isascii() else s + "."

    # ---- text assembly ---------------------------------------------------
    def compose(self, topic, lang, platform, sent, stage, d, slots, must=None):
        T = TOPICS[topic][lang]
        r = self.rng
        pk = self.pk
        zh = lang == "zh"
        parts: list[str] = []
        head = None  # dy/ks caption line, also used as the dy title
        limit = 620 if platform == "zhihu" else 280

        if stage == "pre":
            head = pk.one(T["pre"])
            parts.append(head)
        elif platform in ("dy", "ks"):
            head = self.one(T["short"][sent], d)
            parts.append(head)
            if r.random() < 0.45:
                g = grams(head, lang)
                cands = [s for s in avail(T["body"][sent], d) if len(grams(s, lang) & g) < 2]
                extra = pk.one(cands)
                if extra:
                    parts.append(extra)
            if stage == "follow" and r.random() < 0.3:
                f = self.one(T["follow"], d)
                if f:
                    parts.append(f)
        elif platform == "zhihu":
            paras = []
            if r.random() < 0.7:
                paras.append(self.one(T["zhihu_open"], d))
            deep = pk.pick(avail(T["deep"], d), r.randint(2, 3) if zh else r.randint(1, 2))
            own = pk.pick(avail(T["body"][sent], d), r.choice([1, 2]))
            if stage == "follow" and r.random() < 0.5:
                f = self.one(T["follow"], d)
                if f:
                    own.append(f)
            mid = deep[:]
            mid.insert(r.randint(1, len(mid)) if mid else 0, ("" if zh else " ").join(own))
            paras.extend(mid)
            if r.random() < 0.6:
                paras.append(self.one(T["close"][sent] + T["close"]["neu"], d))
            parts = [p for p in paras if p]
        else:
            if r.random() < 0.5:
                extra = [x for x in T["open"]["neu"] if x[-1] not in ":："] if r.random() < 0.3 else []
                o = self.one(T["open"][sent] + extra, d)
                if o:
                    parts.append(o)
            nb = {"wb": r.choice([1, 1, 2, 2, 3]), "xhs": r.choice([2, 3, 3, 4]), "bili": r.choice([1, 2, 2, 3]),
                  "tieba": r.choice([1, 1, 2])}[platform]
            if not zh:
                nb = max(1, nb - 1)
            mix = []
            if must:
                mix.append(must)
                pk.used[must] += 1
            if stage == "follow" and r.random() < 0.4:
                f = self.one(T["follow"], d, exclude=mix)
                if f:
                    mix.append(f)
            while len(mix) < nb + (1 if must else 0):
                src = T["body"]["neu"] if (sent != "neu" and r.random() < 0.15) else T["body"][sent]
                got = self.one(src, d, exclude=mix)
                if not got:
                    break
                mix.append(got)
            parts.extend(mix)
            if r.random() < (0.5 if platform == "tieba" else 0.22):
                a = self.one(T["ask"], d)
                if a:
                    parts.append(a)
            if r.random() < 0.35:
                c = self.one(T["close"][sent] + T["close"]["neu"], d)
                if c:
                    parts.append(c)

        parts = [self.fill(p, slots) for p in parts if p]
        if head:
            head = self.fill(head, slots)

        closers = PLATFORM_CLOSERS[lang].get(platform, [])
        if closers and stage != "pre" and r.random() < {"xhs": 0.35, "bili": 0.4, "ks": 0.3, "dy": 0.15, "tieba": 0.25}.get(platform, 0):
            parts.append(r.choice(closers))

        if not zh:
            parts = [self.end_en(p) if i < len(parts) - 1 else p for i, p in enumerate(parts)]

        if platform == "xhs":
            lines = []
            for p in parts:
                if r.random() < 0.55 and p[-1] not in ":：":
                    p = p + self.emoji(lang, platform, sent)
                lines.append(p)
            text = "\n".join(lines)
        elif platform == "zhihu":
            text = ZHIHU_SEP.join(parts)
        else:
            if zh and len(parts) > 1 and parts[0][-1] not in "，。！？…：":
                parts[0] = parts[0] + r.choice(["。", "！", "……", "，"])
            text = ("" if zh else " ").join(parts)
            p_emoji = {"wb": 0.5, "dy": 0.7, "ks": 0.7, "bili": 0.3, "tieba": 0.3}[platform]
            if r.random() < p_emoji:
                text = text + ("" if zh else " ") + self.emoji(lang, platform, sent)

        if platform == "tieba" and zh and stage != "pre" and r.random() < 0.15:
            text = "如题。" + text

        tags = TOPICS[topic][lang]["tags"]
        sp = "" if zh else " "
        if platform == "wb" and r.random() < 0.75:
            hs = sp.join(self.hashtags(platform, tags, r.choice([1, 1, 2])))
            text = (hs + sp + text) if r.random() < 0.45 else (text + sp + hs)
        elif platform == "xhs" and r.random() < 0.85:
            text = text + "\n" + " ".join(self.hashtags(platform, tags, r.choice([2, 3, 3, 4])))
        elif platform == "dy" and r.random() < 0.9:
            text = text + " " + " ".join(self.hashtags(platform, tags, r.choice([2, 3])))
        elif platform == "ks" and r.random() < 0.6:
            text = text + " " + " ".join(self.hashtags(platform, tags, r.choice([1, 2])))
        elif platform == "bili" and r.random() < 0.1:
            text = text + " " + " ".join(self.hashtags("dy", tags, 1))

        # a Weibo repost chain: own remark //@original author: original text
        if platform == "wb" and zh and stage != "pre" and r.random() < 0.1:
            quoted = self.fill(self.one(T["body"][sent], d), slots)
            own = self.one(T["comments"][sent], d)
            text = f"{own}//@{self.nickname(lang, platform, topic)}:{quoted}"

        if len(text) > limit:
            return None, None
        return text, head

    def anchored(self, topic, lang, text, title):
        hay = text + " " + (title or "")
        for a in TOPICS[topic]["anchors"][lang]:
            if a.isupper():
                if re.search(r"(?<![A-Za-z])" + re.escape(a) + r"(?![A-Za-z])", hay):
                    return True
            elif a.lower() in hay.lower():
                return True
        return False

    def keyword(self, topic, lang, text, title):
        kws = TOPICS[topic][lang]["keywords"]
        hay = (text + " " + (title or "")).lower()
        full = [k for k in kws if all(tok.lower() in hay for tok in k.split())]
        if full:
            return self.rng.choice(full)
        part = [k for k in kws if any(tok.lower() in hay for tok in k.split())]
        return self.rng.choice(part or kws)

    @staticmethod
    def first_sentence(text):
        s = re.split(r"(?<=[。！？])|(?<=[.!?])\s|\s#|\n", text)[0].strip()
        if len(s) > 30 and "，" in s[:30]:
            s = s[:s.index("，")]
        return s

    # ---- timing ----------------------------------------------------------
    def post_time(self, topic, d):
        cfg = TOPICS[topic]
        r = self.rng
        weights = HOUR_WEIGHTS[:]
        if d == cfg["break"]:
            weights = [w if h >= cfg["break_hour"] else 0 for h, w in enumerate(weights)]
            if topic == "canteen-prices":
                for h in (11, 12, 13, 17, 18):
                    weights[h] *= 2.5
            if topic == "city-marathon":
                for h in range(9, 15):
                    weights[h] *= 2.2
        h = r.choices(range(24), weights=weights)[0]
        return day(d) + timedelta(hours=h, minutes=r.randint(0, 59), seconds=r.randint(0, 59))

    # ---- engagement ------------------------------------------------------
    def engagement(self, platform, mu_shift=0.0, fixed_mu=None):
        mu, sigma, cr, sr, kr = ENGAGEMENT[platform]
        r = self.rng
        if fixed_mu is not None:
            mu, sigma = fixed_mu, 0.4
        else:
            mu += mu_shift
        liked = min(int(math.exp(r.gauss(mu, sigma))), 300_000)
        noise = lambda: math.exp(r.gauss(0, 0.5))  # noqa: E731
        comments = int(liked * cr * noise()) + (1 if r.random() < 0.3 else 0)
        shares = int(liked * sr * noise())
        collected = int(liked * kr * noise())
        return liked, comments, shares, collected

    # ---- posts -----------------------------------------------------------
    @staticmethod
    def allocate_days(weights, n):
        total = sum(weights.values())
        raw = {d: w * n / total for d, w in weights.items()}
        counts = {d: int(v) for d, v in raw.items()}
        rest = n - sum(counts.values())
        for d in sorted(raw, key=lambda d: (-(raw[d] - counts[d]), d))[:rest]:
            counts[d] += 1
        return counts

    def make_posts(self, topic):
        cfg = TOPICS[topic]
        r = self.rng
        posts = []
        for o in cfg["official"]:
            d, h, m = o["at"]
            ts = day(d) + timedelta(hours=h, minutes=m)
            eng = self.engagement(o["platform"], fixed_mu=o["likes_mu"])
            title = o.get("title")
            p = self.post_record(topic, o["platform"], "zh", o["author"], title, o["text"], ts, eng,
                                 self.keyword(topic, "zh", o["text"], title))
            p["_sent"] = "neu"
            posts.append(p)
            self.texts.add(core(o["text"]))
        n_rest = POSTS_PER_TOPIC - len(posts)
        n_zh = ZH_PER_TOPIC - len(posts)
        langs = ["zh"] * n_zh + ["en"] * (n_rest - n_zh)
        r.shuffle(langs)
        days = []
        for d, c in sorted(self.allocate_days(cfg["day_weights"], n_rest).items()):
            days += [d] * c
        sents = list(cfg["sentiment"])
        sw = [cfg["sentiment"][s] for s in sents]
        plat_list = []
        for pl, c in self.allocate_days(TOPIC_PLATFORMS[topic], n_rest).items():
            plat_list += [pl] * c
        r.shuffle(plat_list)
        # no zhihu answers / bili videos about a story that has not broken yet
        for i, d in enumerate(days):
            if d < cfg["break"] and plat_list[i] in ("zhihu", "bili"):
                j = next(j for j in range(len(days) - 1, -1, -1)
                         if days[j] >= cfg["break"] and plat_list[j] not in ("zhihu", "bili"))
                plat_list[i], plat_list[j] = plat_list[j], plat_list[i]
        for lang, d, planned in zip(langs, days, plat_list):
            stage = "pre" if d < cfg["break"] else ("follow" if d >= cfg["follow_from"] else "break")
            for attempt in range(80):
                platform = planned if attempt < 50 else r.choice(["wb", "xhs", "dy"])
                sent = "neu" if stage == "pre" else r.choices(sents, weights=sw)[0]
                slots = {"m": r.randint(2, 11)}
                title, must = None, None
                if stage != "pre" and platform in ("xhs", "bili", "zhihu", "tieba"):
                    title, must = self.choose_title(topic, lang, platform, sent, d)
                    if title is None:
                        continue
                    title = self.fill(title, slots)
                text, head = self.compose(topic, lang, platform, sent, stage, d, slots, must)
                if not text or core(text) in self.texts or len(text) < 15:
                    continue
                if stage == "pre" and platform in ("xhs", "tieba", "dy"):
                    title = self.first_sentence(head)
                elif platform == "dy":
                    title = head
                if not self.anchored(topic, lang, text, title):
                    continue
                break
            else:
                raise SystemExit(f"could not compose a post for {topic}/{lang}/{d}")
            self.texts.add(core(text))
            ts = self.post_time(topic, d)
            shift = (0.7 if d == cfg["break"] else 0.0) - (0.9 if lang == "en" else 0.0)
            if r.random() < 0.03:
                shift += 2.5  # the odd post that takes off
            p = self.post_record(topic, platform, lang, self.nickname(lang, platform, topic), title, text, ts,
                                 self.engagement(platform, shift), self.keyword(topic, lang, text, title))
            p["_sent"] = sent
            p["_stage"] = stage
            posts.append(p)
        return posts

    def post_record(self, topic, platform, lang, nick, title, text, ts, eng, keyword):
        pid = self.post_id(platform, ts)
        aid = self.author_id(platform, nick)
        if platform == "wb":
            url = f"https://weibo.com/{aid}/{pid}"
        elif platform == "xhs":
            url = f"https://www.xiaohongshu.com/explore/{pid}"
        elif platform == "dy":
            url = f"https://www.douyin.com/video/{pid}"
        elif platform == "bili":
            url = f"https://www.bilibili.com/video/{pid}"
        elif platform == "zhihu":
            url = f"https://www.zhihu.com/question/{self.zhihu_question(topic, title)}/answer/{pid}"
        elif platform == "tieba":
            url = f"https://tieba.baidu.com/p/{pid}"
        else:
            url = f"https://www.kuaishou.com/short-video/{pid}"
        liked, com, sh, col = eng
        return {
            "platform": platform, "id": pid, "topic": topic, "lang": lang, "author_id": aid, "author": nick,
            "title": title, "text": text, "url": url, "liked": liked, "comments": com, "shares": sh,
            "collected": col, "published": iso(ts), "keyword": keyword, "_ts": ts, "_stage": "official",
        }

    def zhihu_question(self, topic, title):
        key = (topic, title)
        if key not in self.zhihu_q:
            self.zhihu_q[key] = self._unique("zhihu", "question", lambda: "6" + digits(self.rng, 8, "0123456789"))
        return self.zhihu_q[key]

    # ---- comments --------------------------------------------------------
    def make_comments(self, posts):
        r = self.rng
        noise = [r.gauss(0, 1.0) for _ in posts]

        def counts(offset):
            return [max(0, min(6, round(0.8 * math.log1p(p["liked"]) + offset + z))) for p, z in zip(posts, noise)]

        lo, hi = -12.0, 6.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if sum(counts(mid)) < TARGET_COMMENTS:
                lo = mid
            else:
                hi = mid
        ks = counts(hi)
        while sum(ks) > TARGET_COMMENTS:  # trim the overshoot of the last step, quietest posts first
            i = min((i for i, k in enumerate(ks) if k > 0), key=lambda i: (posts[i]["liked"], i))
            ks[i] -= 1
        out = []
        for p, k in zip(posts, ks):
            made = []
            t = p["_ts"]
            for i in range(k):
                lang = p["lang"] if r.random() < 0.92 else ("en" if p["lang"] == "zh" else "zh")
                T = TOPICS[p["topic"]][lang]
                t = t + timedelta(minutes=max(1, int(r.expovariate(1 / (90 if i == 0 else 150)))))
                if t > LAST_MOMENT:
                    t = max(LAST_MOMENT - timedelta(minutes=r.randint(0, 20)), p["_ts"] + timedelta(minutes=1))
                parent = r.choice(made) if made and r.random() < 0.32 else None
                if parent and t <= parent["_ts"]:
                    t = parent["_ts"] + timedelta(minutes=r.randint(1, 30))
                d = t.day
                nick = self.nickname(lang, p["platform"], p["topic"])
                while nick == p["author"] or (parent and nick == parent["author"]):
                    nick = self.nickname(lang, p["platform"], p["topic"])
                pre = p.get("_stage") == "pre" and d < TOPICS[p["topic"]]["break"]
                if parent:
                    core = self.one(PRE_COMMENTS[p["topic"]][lang] if pre else T["replies"], d)
                    if p["platform"] == "wb" and lang == "zh":
                        text = f"回复@{parent['author']}:{core}"
                    elif p["platform"] == "bili":
                        text = f"回复 @{parent['author']} :{core}"
                    elif lang == "en":
                        text = f"@{parent['author']} {core}"
                    else:
                        text = core
                else:
                    ps = p["_sent"]
                    x = r.random()
                    cs = ps if x < 0.55 else ("neu" if x < 0.75 else r.choice([s for s in ("neg", "pos", "neu") if s != ps]))
                    core = self.one(PRE_COMMENTS[p["topic"]][lang] if pre else T["comments"][cs], d)
                    pfx = COMMENT_PREFIX[lang][cs]
                    text = (r.choice(pfx) + core) if (pfx and not pre and r.random() < 0.2) else core
                    if p["platform"] != "zhihu" and r.random() < (0.3 if lang == "zh" else 0.2):
                        text += self.emoji(lang, p["platform"], cs)
                mu = -0.3 + 0.35 * math.log1p(p["liked"]) - (0.6 if parent else 0.0)
                c = {
                    "platform": p["platform"], "id": self.comment_id(p["platform"], t), "post_id": p["id"],
                    "parent_id": parent["id"] if parent else None, "topic": p["topic"], "lang": lang,
                    "author_id": self.author_id(p["platform"], nick), "author": nick, "text": text,
                    "liked": max(0, int(math.exp(r.gauss(mu, 1.3))) - 1), "published": iso(t), "_ts": t,
                }
                made.append(c)
            p["comments"] = max(p["comments"], len(made))
            out.extend(made)
        return out

    # ---- topics & news ---------------------------------------------------
    def topics_rows(self):
        rows = []
        for tid, cfg in TOPICS.items():
            rows.append({
                "id": tid, "name": cfg["name"], "name_en": cfg["name_en"], "description": cfg["description"],
                "keywords": cfg["zh"]["keywords"] + cfg["en"]["keywords"], "date": f"2026-11-{cfg['break']:02d}",
            })
        return rows

    def news_rows(self):
        r = self.rng
        rows = []
        sections = {"ev-battery-recall": "business/autos-transportation", "canteen-prices": "world/china",
                    "city-marathon": "sports", "ai-music-copyright": "technology"}
        for tid, cfg in TOPICS.items():
            for source, lang, title, desc, d, rank in cfg["news"]:
                date = f"2026-11-{d:02d}"
                if source == "weibo":
                    url = "https://s.weibo.com/weibo?q=" + quote("#" + title + "#")
                elif source == "zhihu":
                    url = f"https://www.zhihu.com/question/{self.zhihu_question(tid, title)}"
                elif source == "toutiao":
                    url = f"https://www.toutiao.com/article/{'75' + digits(r, 17, '0123456789')}/"
                elif source == "thepaper":
                    url = f"https://www.thepaper.cn/newsDetail_forward_{'3' + digits(r, 7, '0123456789')}"
                elif source == "bbc":
                    url = "https://www.bbc.com/news/articles/c" + "".join(r.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(10)) + "o"
                elif source == "reuters":
                    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
                    url = f"https://www.reuters.com/{sections[tid]}/{slug}-{date}/"
                elif source == "scmp":
                    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
                    url = f"https://www.scmp.com/news/china/politics/article/{digits(r, 7)}/{slug}"
                else:
                    raise ValueError(source)
                nid = source + "-" + hashlib.sha1(url.encode()).hexdigest()[:10]
                rows.append({"id": nid, "source": source, "topic": tid, "title": title, "url": url,
                             "description": desc, "date": date, "rank": rank})
        rows.sort(key=lambda x: (x["date"], x["rank"]))
        return rows


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def term_hits(term: str, text: str) -> bool:
    if re.fullmatch(r"[\x00-\x7f]+", term):
        flags = 0 if (term.isupper() or any(ch.isdigit() for ch in term) or term == "km") else re.IGNORECASE
        return re.search(r"(?<![A-Za-z0-9])" + re.escape(term) + r"(?![A-Za-z0-9])", text, flags) is not None
    return term in text


def validate(posts, comments, news):
    problems = []
    by_topic = defaultdict(list)
    for p in posts:
        by_topic[p["topic"]].append(" ".join(filter(None, [p["title"], p["text"], p["author"], p["keyword"]])))
    for c in comments:
        by_topic[c["topic"]].append(c["text"] + " " + c["author"])
    for n in news:
        by_topic[n["topic"]].append(n["title"] + " " + n["description"])
    for tid, cfg in TOPICS.items():
        terms = cfg["signature"]["zh"] + cfg["signature"]["en"]
        for other, texts in by_topic.items():
            if other == tid:
                continue
            for t in texts:
                for term in terms:
                    if term_hits(term, t):
                        problems.append(f"'{term}' ({tid}) leaks into {other}: {t[:80]}")
    texts = [core(p["text"]) for p in posts]
    if len(set(texts)) != len(texts):
        problems.append("duplicate (or near-duplicate) post texts")
    for p in posts:
        lim = 620 if p["platform"] == "zhihu" else 280
        if not (15 <= len(p["text"]) <= lim):
            problems.append(f"length {len(p['text'])}: {p['id']}")
    ids = Counter((p["platform"], p["id"]) for p in posts)
    ids.update((c["platform"], c["id"]) for c in comments)
    if any(v > 1 for v in ids.values()):
        problems.append("duplicate ids")
    post_by_id = {(p["platform"], p["id"]): p for p in posts}
    com_by_id = {(c["platform"], c["id"]): c for c in comments}
    for c in comments:
        p = post_by_id[(c["platform"], c["post_id"])]
        if p["topic"] != c["topic"] or c["_ts"] <= p["_ts"]:
            problems.append(f"bad comment {c['id']}")
        if c["parent_id"]:
            par = com_by_id[(c["platform"], c["parent_id"])]
            if par["post_id"] != c["post_id"] or c["_ts"] <= par["_ts"]:
                problems.append(f"bad reply {c['id']}")
    if problems:
        for x in problems[:40]:
            print("PROBLEM:", x)
        raise SystemExit(f"{len(problems)} validation problems")


# --------------------------------------------------------------------------


def main():
    g = Gen()
    posts = []
    for tid in TOPICS:
        posts.extend(g.make_posts(tid))
    posts.sort(key=lambda p: (p["_ts"], p["platform"], p["id"]))
    comments = g.make_comments(posts)
    comments.sort(key=lambda c: (c["_ts"], c["platform"], c["id"]))
    topics = g.topics_rows()
    news = g.news_rows()
    validate(posts, comments, news)

    def dump(name, rows):
        with open(os.path.join(OUT_DIR, name), "w", encoding="utf-8", newline="\n") as f:
            for row in rows:
                f.write(json.dumps({k: v for k, v in row.items() if not k.startswith("_")}, ensure_ascii=False) + "\n")

    dump("posts.jsonl", posts)
    dump("comments.jsonl", comments)
    dump("topics.jsonl", topics)
    dump("news.jsonl", news)

    plats = list(PLATFORM_WEIGHTS)
    print(f"posts: {len(posts)}  comments: {len(comments)}  topics: {len(topics)}  news: {len(news)}")
    print()
    print("| topic | posts | zh | en | " + " | ".join(plats) + " | comments | news |")
    print("|---|" + "---|" * (len(plats) + 5))
    for tid in TOPICS:
        tp = [p for p in posts if p["topic"] == tid]
        lc = Counter(p["lang"] for p in tp)
        pc = Counter(p["platform"] for p in tp)
        nc = sum(1 for c in comments if c["topic"] == tid)
        nn = sum(1 for n in news if n["topic"] == tid)
        print(f"| {tid} | {len(tp)} | {lc['zh']} | {lc['en']} | " + " | ".join(str(pc[p]) for p in plats) + f" | {nc} | {nn} |")
    lc = Counter(p["lang"] for p in posts)
    pc = Counter(p["platform"] for p in posts)
    print(f"| **total** | {len(posts)} | {lc['zh']} | {lc['en']} | " + " | ".join(str(pc[p]) for p in plats)
          + f" | {len(comments)} | {len(news)} |")
    cl = Counter(c["lang"] for c in comments)
    print()
    print(f"comments by lang: zh {cl['zh']}, en {cl['en']}; replies: {sum(1 for c in comments if c['parent_id'])}")
    print("posts per day:", dict(sorted(Counter(p["published"][:10] for p in posts).items())))


if __name__ == "__main__":
    main()
