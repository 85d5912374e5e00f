"""Writes the synthetic demo corpus in cnews format: train, val and test files.

The corpus is a synthetic demo written for this project, not THUCNews and not
any part of it: every sentence template and slot word below was written by
hand for this script. Articles are built by filling the templates of one
category with random slot words and numbers, mixing in neutral connective
sentences shared by all categories, and, for about 5% of the articles,
sentences of a second, related category (the label stays the main one).

Output, one example a line, ``label<TAB>text``, UTF-8, shuffled:

    cnews.train.txt   100 articles per category
    cnews.val.txt      20 articles per category
    cnews.test.txt     20 articles per category

The script uses only the standard library and its own random number
generator (SplitMix64), so every Python 3 version writes byte-identical
files. Run it from anywhere:

    python3 demo/make_demo.py [--out-dir DIR]
"""

import argparse
import os
import re
import sys

SEED = 20240601

# The cnews category order; the loader gives label ids by this order.
CATEGORIES = ('体育', '财经', '房产', '家居', '教育',
              '科技', '时尚', '时政', '游戏', '娱乐')

# (file name, articles per category, confusable articles per category)
SPLITS = (
    ('cnews.train.txt', 100, 5),
    ('cnews.val.txt', 20, 1),
    ('cnews.test.txt', 20, 1),
)

MIN_CJK = 150      # at least this many Chinese characters an article
MAX_CHARS = 400    # at most this many characters an article, all counted
NEUTRAL_RATE = 0.25
MAX_NEUTRAL = 3


class Rng(object):
    """SplitMix64. Small, and the same sequence on every Python version."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def next64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def below(self, n):
        """An integer in [0, n), without modulo bias."""
        limit = (1 << 64) - (1 << 64) % n
        while True:
            x = self.next64()
            if x < limit:
                return x % n

    def randint(self, lo, hi):
        return lo + self.below(hi - lo + 1)

    def chance(self, p):
        """True with probability p (p given to 1/1000)."""
        return self.below(1000) < int(round(p * 1000))

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def _words(text):
    """A tuple of slot words from a whitespace-separated string."""
    return tuple(text.split())


def _int(lo, hi):
    return lambda rng: str(rng.randint(lo, hi))


def _pct(lo, hi):
    """A percentage such as 12% or 12.5%."""
    def make(rng):
        whole = rng.randint(lo, hi)
        if rng.chance(0.5):
            return '%d.%d%%' % (whole, rng.randint(1, 9))
        return '%d%%' % whole
    return make


def _dec(lo, hi):
    """A number with one decimal, such as 3.7."""
    return lambda rng: '%d.%d' % (rng.randint(lo, hi), rng.randint(0, 9))


def _person(rng):
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    if rng.chance(0.6):
        name += rng.choice(GIVEN)
    return name


SURNAMES = _words('王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 '
                  '郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 潘 袁 蒋 蔡 余')
GIVEN = _words('伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 秀 霞 平 刚 '
               '桂 文 华 建 国 峰 琳 晨 宇 欣 浩 然 思 雨 嘉 怡 博 志 海 新')

# Slots every category can use; a category's own slot of the same name wins.
SHARED_SLOTS = {
    'person': _person,
    'city': _words('北京 上海 广州 深圳 杭州 南京 成都 武汉 西安 重庆 '
                   '天津 沈阳 长沙 郑州 青岛 厦门 苏州 大连 济南 昆明'),
    'province': _words('广东 江苏 浙江 山东 河南 四川 湖北 湖南 河北 福建 '
                       '安徽 云南 江西 辽宁 陕西 广西'),
    'n': _int(2, 9),
    'num': _int(10, 99),
    'big': _int(120, 9800),
    'pct': _pct(1, 60),
    'year': _int(2005, 2012),
    'month': _int(1, 12),
    'day': _int(1, 28),
}

# Openers and sign-offs with no category in them.
DATELINES = (
    '本报讯（记者{person}）',
    '本报{city}{month}月{day}日电 ',
    '{city}晚报讯 ',
    '本报记者{person}报道 ',
    '（记者{person} 通讯员{person}）',
)
SIGNOFFS = (
    '（责任编辑：{person}）',
    '（本文来源：{city}晨报）',
    '（实习生{person}对本文亦有贡献）',
)

# Neutral connective sentences shared by all categories.
NEUTRAL = (
    '记者了解到，相关情况仍在进一步核实之中。',
    '对此，有关人士表示将持续关注后续的进展。',
    '值得注意的是，这一情况与去年同期相比有所不同。',
    '业内普遍认为，未来一段时间内这一趋势仍将延续。',
    '据悉，相关活动将于近期陆续展开。',
    '不过，也有人对此持不同的看法。',
    '总的来看，整体形势要好于此前的预期。',
    '此外，部分细节仍有待进一步确认。',
    '消息一经公布，便在网络上引发了广泛讨论。',
    '截至记者发稿时，有关方面尚未作出进一步回应。',
    '事实上，类似的情况在过去几年中并不少见。',
    '与此同时，相关各方也在积极做着准备。',
    '多位受访者表示，对今后的发展充满信心。',
    '有分析称，这在一定程度上反映了当前的整体氛围。',
    '从目前掌握的信息来看，各项工作进展顺利。',
    '有网友留言说，希望今后能看到更多这样的消息。',
    '对于下一步的计划，负责人并没有透露更多细节。',
    '据了解，这已经是今年以来的第{n}次。',
    '这一消息让不少关注者感到有些意外。',
    '一位知情人士透露，双方此前已经进行了多轮沟通。',
    '时间进入{month}月，各方面的动向都值得关注。',
    '在采访中，多数人对这一变化表示理解。',
    '而在此之前，外界对此已有诸多猜测。',
    '当然，最终结果还要等到正式公布之后才能知晓。',
    '相比之下，另一方的表现则显得较为平淡。',
    '对于普通人来说，这样的变化或许并不明显。',
    '面对新的情况，如何应对已成为摆在各方面前的课题。',
    '本报将继续关注此事的后续进展。',
    '记者{person}在现场看到，不少人拿着手机拍照留念。',
    '据相关人士分析，这背后有着多方面的原因。',
    '这样的结果，在很大程度上与前期的准备有关。',
    '有关情况，本报将在第一时间予以报道。',
)

# Category to the categories its confusable articles borrow sentences from.
RELATED = {
    '体育': ('游戏', '娱乐', '教育'),
    '财经': ('房产', '科技', '时政'),
    '房产': ('财经', '家居'),
    '家居': ('房产', '时尚'),
    '教育': ('时政', '科技'),
    '科技': ('游戏', '财经'),
    '时尚': ('娱乐', '家居'),
    '时政': ('财经', '教育'),
    '游戏': ('科技', '体育', '娱乐'),
    '娱乐': ('时尚', '游戏'),
}

TEMPLATES = {}
SLOTS = {}

# ---------------------------------------------------------------- 体育 sports
TEMPLATES['体育'] = (
    '在昨晚进行的{event}中，{team}客场以{score}击败{team}，取得了{n}连胜。',
    '主教练{coach}赛后表示，球队下半场的防守非常出色，球员们的执行力让他满意。',
    '{athlete}本场出战{minute}分钟，砍下全队最高的{points}分，另有{n}次助攻。',
    '据队医介绍，{athlete}在训练中拉伤了{body}，预计将缺席未来{n}周的比赛。',
    '这场比赛吸引了超过{crowd}名球迷到场观战，{venue}内的气氛十分热烈。',
    '开场仅{minute}分钟，{team}就凭借一次快速反击首开纪录，{athlete}推射破门。',
    '易边再战，{team}加强了中场逼抢，{position}{athlete}在禁区内头球扳平比分。',
    '本赛季至今，{team}已经取得{n}胜{n}负的战绩，暂列积分榜第{n}位。',
    '俱乐部官方今天宣布，{athlete}正式与球队续约{n}年，具体金额没有公布。',
    '{sport}项目的{event}将于{month}月{day}日在{city}开幕，共有{num}支队伍报名参赛。',
    '国家队主教练{coach}公布了最新一期集训名单，{athlete}等{n}名新人首次入选。',
    '在刚刚结束的{sport}{event}中，{athlete}发挥出色，打破了保持多年的赛会纪录。',
    '第三节比赛中，{team}一度落后{deficit}分，替补登场的{athlete}连续命中{n}记三分球。',
    '赛前不少评论员认为{team}的阵容深度更胜一筹，然而比赛的走势出乎很多人的预料。',
    '全场比赛双方共完成{num}次射门，{team}的控球率达到了{pct}。',
    '转会窗口关闭前，{team}以{num}00万欧元的价格从{team}引进了{position}{athlete}。',
    '裁判在比赛第{minute}分钟出示了一张红牌，{team}不得不以十人应战。',
    '加时赛中，{athlete}在终场前{n}秒完成绝杀，全场观众起立欢呼。',
    '{athlete}在赛后的新闻发布会上说：“我们每个人都拼尽了全力，胜利属于整个团队。”',
    '根据赛程安排，{team}下一轮将在主场迎战{team}，这场比赛将影响季后赛席位的归属。',
    '女子{sport}决赛中，{athlete}以直落三局的比分战胜对手，首次登上最高领奖台。',
    '从技术统计来看，{team}的篮板球和助攻数都明显占优，失误也比对手少{n}次。',
    '老将{athlete}今年已经{age}岁，依然保持着良好的竞技状态，本赛季场均得到{num}分。',
    '新援{athlete}适应得很快，已经成为主教练轮换阵容中的重要一环。',
    '在点球大战中，门将{athlete}连续扑出两粒点球，帮助{team}晋级下一轮。',
    '球队的训练基地位于{city}郊区，全队将在那里进行为期{n}周的封闭集训。',
    '体育部门有关负责人表示，将进一步加大对青少年{sport}运动的扶持力度。',
    '这是{team}队史上第{n}次打进总决赛，上一次还要追溯到{year}年。',
    '上半场双方均无建树，{team}的几次远射都被对方门将{athlete}化解。',
    '{sport}联赛新赛季的揭幕战将在{venue}打响，门票已在网上全部售罄。',
)
SLOTS['体育'] = {
    'team': _words('火箭队 湖人队 凯尔特人队 热火队 马刺队 北京国安 上海申花 山东鲁能 '
                   '广州恒大 天津泰达 巴塞罗那 皇家马德里 曼联 切尔西 拜仁慕尼黑 '
                   'AC米兰 广东宏远 辽宁男篮 江苏南钢 浙江稠州'),
    'athlete': _words('李文斌 赵志强 孙浩然 周一鸣 陈子豪 马天宇 郭振华 吴俊杰 '
                      '安德森 罗德里格斯 米勒 卡特 费尔南多 穆勒 王雪莹 刘晓静'),
    'coach': _words('韩德明 佩雷斯 杨国栋 斯科特 朱建华 马丁内斯'),
    'event': _words('联赛 季后赛 世界杯预选赛 亚冠联赛 全运会 半决赛 '
                    '总决赛 锦标赛 公开赛 邀请赛'),
    'sport': _words('篮球 足球 网球 羽毛球 乒乓球 排球 田径 游泳'),
    'venue': _words('工人体育场 奥体中心 主场球馆 虹口足球场 体育中心 五棵松体育馆'),
    'position': _words('后卫 中锋 前锋 门将 中场 边锋'),
    'body': _words('大腿肌肉 脚踝 膝盖韧带 腰部 肩膀 腹股沟'),
    'score': ('1比0', '2比1', '3比1', '2比0', '3比2', '98比91', '105比99', '87比80'),
    'minute': _int(3, 88),
    'points': _int(18, 45),
    'crowd': _int(12000, 68000),
    'age': _int(32, 38),
    'deficit': _int(8, 22),
}

# -------------------------------------------------------------- 财经 finance
TEMPLATES['财经'] = (
    '今日{index}低开高走，收盘上涨{move}，报{points}点，两市合计成交{big}亿元。',
    '盘面上，{sector}板块表现活跃，{company}等个股涨停，而{sector}板块继续走弱。',
    '{agency}今天发布的数据显示，{month}月份{indicator}同比上涨{small_pct}，涨幅有所回落。',
    '{company}发布公告称，公司上半年实现营业收入{num}亿元，同比增长{pct}。',
    '分析人士认为，在流动性逐步收紧的背景下，短期内市场仍将以震荡整理为主。',
    '{firm}首席经济学家{person}指出，下半年货币政策有望保持稳健，但仍有微调空间。',
    '截至收盘，{index}报{points}点，跌{move}，下跌家数明显多于上涨家数。',
    '基金季报显示，偏股型基金的平均仓位已经降至{stake}左右，机构普遍趋于谨慎。',
    '{company}计划通过定向增发募集资金不超过{num}亿元，用于补充流动资金和偿还贷款。',
    '外汇市场上，人民币对美元汇率中间价报{fx}，较上一交易日小幅走高。',
    '国际油价昨日大幅波动，纽约原油期货主力合约收于每桶{oil}美元。',
    '黄金价格再创新高，现货金价一度突破每盎司{gold}美元，避险需求持续升温。',
    '多家银行近期上调了理财产品的预期收益率，部分产品的年化收益超过{small_pct}。',
    '证券监管部门表示，将继续严厉打击内幕交易和操纵市场等违法违规行为。',
    '{company}董事长{person}在股东大会上表示，公司将加快转型步伐，力争三年内营收翻番。',
    '数据显示，{month}月末广义货币供应量M2余额为{m2}万亿元，同比增长{small_pct}。',
    '新股发行方面，本周共有{n}只新股申购，预计冻结资金约{big}亿元。',
    '业内人士提醒投资者，应理性看待市场的短期波动，避免追涨杀跌。',
    '受欧洲债务危机影响，全球主要股指普遍下挫，美元指数则明显走强。',
    '银行业监管部门要求各商业银行进一步加强对地方融资平台贷款的风险管理。',
    '{company}的股价在过去{n}个交易日内累计上涨{pct}，引起了交易所的关注。',
    '从资金流向看，主力资金今日净流出{num}亿元，其中{sector}板块流出最多。',
    '债券市场方面，{n}年期国债收益率小幅上行，报{bond}。',
    '{firm}的研究报告预计，全年国内生产总值GDP增速将保持在{gdp}左右。',
    '保险监管部门近日发布通知，对万能险等产品的销售行为作出了更严格的规定。',
    '{company}与{company}签署战略合作协议，双方将在供应链金融领域展开深度合作。',
    '创业板公司的高管减持仍在持续，{month}月份累计减持金额超过{num}亿元。',
    '券商人士表示，随着估值回落至历史低位，部分蓝筹股已具备一定的配置价值。',
    '{company}公布的三季报显示，其每股收益为{eps}元，低于市场此前的预期。',
    '央行宣布上调存款类金融机构人民币存款准备金率0.5个百分点，市场反应平稳。',
)
SLOTS['财经'] = {
    'index': _words('上证综指 深证成指 创业板指 沪深300指数 中小板指 恒生指数'),
    'sector': _words('银行 有色金属 煤炭 医药 券商 钢铁 白酒 家电 '
                     '航运 水泥 保险 军工'),
    'company': _words('华信证券 东方银行 中盛基金 宏达集团 远航控股 恒通保险 '
                      '金桥信托 天润实业 长江电力设备 鼎泰钢铁 联发化工 泰和医药 '
                      '万通物流 新亚纺织'),
    'agency': _words('国家统计局 央行 海关总署 财政部'),
    'firm': _words('中金公司 某外资投行 某大型券商 社科院金融研究所 某国有银行'),
    'indicator': _words('CPI PPI 社会消费品零售总额 工业增加值'),
    'points': _int(2100, 3300),
    'small_pct': _pct(1, 9),
    'move': lambda rng: '%d.%02d%%' % (rng.randint(0, 3), rng.randint(1, 99)),
    'stake': _pct(55, 85),
    'fx': lambda rng: '6.%04d' % rng.randint(3000, 8300),
    'oil': _dec(72, 112),
    'gold': _int(1300, 1900),
    'm2': _dec(68, 89),
    'bond': lambda rng: '3.%02d%%' % rng.randint(10, 99),
    'gdp': lambda rng: '%d.%d%%' % (rng.randint(8, 10), rng.randint(0, 9)),
    'eps': lambda rng: '0.%02d' % rng.randint(5, 95),
}

# ---------------------------------------------------------- 房产 real estate
TEMPLATES['房产'] = (
    '据{agency}统计，{month}月{city}新建商品住宅成交{big}套，环比下降{pct}。',
    '{district}的{project}本周开盘，均价约为每平方米{sqm_price}元，推出的{num}套房源售出近七成。',
    '业内人士认为，在限购政策的持续影响下，楼市的观望情绪依然浓厚。',
    '{developer}以总价{num}亿元竞得{district}一宗住宅用地，楼面地价达到每平方米{sqm_price}元。',
    '多家银行已暂停发放第三套房贷款，首套房贷款利率也较基准利率普遍上浮。',
    '购房者{person}告诉记者，他看中了一套{area}平方米的{room}，但首付款仍有不小的缺口。',
    '统计部门发布的七十个大中城市房价指数显示，新建住宅价格同比上涨的城市数量有所减少。',
    '{developer}相关负责人透露，公司今年的销售目标为{num}亿元，目前已完成{pct}。',
    '二手房市场同样冷清，不少中介门店的带看量比去年同期减少了一半以上。',
    '保障性住房建设持续推进，{city}今年计划开工建设各类保障房{big}套。',
    '该项目总建筑面积约{big}0平方米，由{n}栋高层住宅和部分商业配套组成，预计明年交房。',
    '为了加快资金回笼，部分开发商开始推出打折促销，降幅在{small_pct}左右。',
    '房产税试点的消息传出后，{city}高端住宅市场的成交明显放缓。',
    '土地市场方面，{month}月份{city}共成交经营性用地{num}宗，土地出让金{big}亿元。',
    '记者在{project}售楼处看到，前来咨询的购房者络绎不绝，但真正下定的并不多。',
    '专家建议，刚需购房者可以关注交通便利、配套成熟的{room}小户型。',
    '{city}住建部门表示，将进一步规范商品房预售资金监管，保障购房人的合法权益。',
    '该楼盘位于地铁{n}号线沿线，周边有多所学校和大型商场，生活配套相对完善。',
    '租赁市场方面，{district}一套{room}的月租金已经上涨至{rent}元左右。',
    '在调控政策不放松的情况下，开发商的资金链压力正在逐步加大。',
    '商业地产成为不少房企转型的方向，{developer}今年新增了{n}个城市综合体项目。',
    '一位不愿具名的开发商表示，目前市场库存偏高，去化周期已经超过{num}个月。',
    '公积金管理中心宣布，自{month}月起将住房公积金贷款额度上限调整为{num}万元。',
    '中介机构的数据显示，本周{city}二手房成交均价为每平方米{sqm_price}元，与上周基本持平。',
    '{developer}开发的{project}获评本年度“最佳宜居楼盘”。',
    '有业主反映，{project}的实际交房时间比购房合同约定的推迟了{n}个月。',
    '物业费也是购房者需要考虑的因素，该小区的物业费为每月每平方米{fee}元。',
    '{city}出台新政，非本市户籍家庭需连续缴纳{n}年社保才能购买首套住房。',
)
SLOTS['房产'] = {
    'developer': _words('远景地产 金鼎置业 盛世房产 海岸地产 中兴城建 新城置地 '
                        '泰和地产 嘉禾置业 华辰房地产 鸿运控股'),
    'project': _words('翡翠湾 御景园 阳光花园 锦绣华府 滨江一号 香榭里 金色家园 '
                      '湖畔名苑 碧水蓝天 世纪华庭 紫荆公馆 橡树湾'),
    'district': _words('朝阳区 浦东新区 南山区 天河区 海淀区 滨海新区 '
                       '江北新区 高新区 经济开发区 城南新区'),
    'room': _words('两居室 三居室 一居室 复式 跃层 小两居'),
    'agency': _words('房地产交易中心 房管局 网签系统 某地产研究机构'),
    'sqm_price': _int(8000, 46000),
    'small_pct': _pct(5, 20),
    'area': _int(45, 180),
    'rent': _int(1800, 9500),
    'fee': lambda rng: '%d.%d' % (rng.randint(1, 6), rng.randint(0, 9)),
}

# ----------------------------------------------------------- 家居 home living
TEMPLATES['家居'] = (
    '在{room}的布置上，设计师选用了{material}材质的{item}，营造出温馨舒适的氛围。',
    '{style}强调自然与简洁，白色墙面搭配原木色家具，让空间显得更加通透。',
    '{brand}近日推出了一系列{style}{item}，售价从{price}元到{big}0元不等。',
    '对于面积只有{area}平方米的小户型来说，合理利用墙面空间是收纳的关键。',
    '专家提醒，新装修的房子最好通风{n}个月以上再入住，以减少甲醛等有害物质的影响。',
    '选购{item}时，消费者应仔细查看产品的环保等级和质检报告。',
    '在{city}举办的家具博览会上，{brand}展出的{material}{item}吸引了不少观众驻足。',
    '浅色的{item}可以在视觉上放大空间，特别适合采光不太好的{room}。',
    '设计师{person}建议，{room}的灯光应以暖色调为主，再辅以局部照明。',
    '一套{area}平方米的两居室，按照中等标准装修，总花费大约在{num}万元左右。',
    '绿植是提升居室气质的好帮手，在{room}角落摆放一盆绿萝，既美观又能净化空气。',
    '{material}{item}虽然价格偏高，但经久耐用，保养得当可以使用很多年。',
    '厨房装修要重点考虑防水和防火，台面材质推荐选择石英石或不锈钢。',
    '业主{person}把闲置的阳台改造成了一个小书房，铺上{material}地板后显得格外雅致。',
    '色彩搭配上，大面积的灰色可以配少量明黄或湖蓝作为点缀，让{room}更有活力。',
    '据{brand}的销售人员介绍，{style}{item}今年最受年轻消费者欢迎，销量增长{pct}。',
    '收纳柜的高度最好控制在{cm}厘米以内，方便老人和孩子取放物品。',
    '地板的铺设方式会影响整体效果，人字形铺法近年来在{style}装修中十分流行。',
    '定制家具越来越受欢迎，它能根据户型尺寸量身打造，充分利用每一寸空间。',
    '卫生间的干湿分离设计不仅美观，还能有效防止地面湿滑。',
    '窗帘的材质和颜色直接影响{room}的采光与私密性，遮光效果较好的面料更受青睐。',
    '在装修预算有限的情况下，可以把钱重点花在{item}和床垫这类常用物品上。',
    '家装行业协会的调查显示，超过{pct}的消费者在装修过程中遇到过增项加价的问题。',
    '软装搭配讲究整体协调，抱枕、地毯和挂画的颜色最好能与{item}相互呼应。',
    '{style}的{room}常用{material}元素，再配上几件手工摆件，就能体现主人的生活品味。',
    '入冬以后，不少家庭开始更换厚实的床品，{brand}的羊毛被和四件套销量明显上升。',
    '装修完成后，可以请专业机构做一次室内空气检测，费用一般在{price}元左右。',
    '{brand}的工作人员提醒，{material}{item}应避免阳光直射，并定期用软布清洁。',
)
SLOTS['家居'] = {
    'brand': _words('欧雅家居 木之语 美居坊 宜尚家具 简木生活 舒眠床垫 华艺瓷砖 '
                    '佳美橱柜 森活家 梵居'),
    'style': _words('北欧风格 新中式风格 简约现代风格 田园风格 地中海风格 '
                    '欧式古典风格 日式风格 工业风'),
    'material': _words('实木 大理石 布艺 真皮 藤编 钢化玻璃 不锈钢 竹制 '
                       '橡木 胡桃木'),
    'room': _words('客厅 卧室 厨房 卫生间 书房 阳台 儿童房 玄关 餐厅'),
    'item': _words('沙发 餐桌 衣柜 书架 床头柜 地毯 吊灯 茶几 橱柜 '
                   '地板 电视柜 梳妆台 鞋柜 双人床'),
    'price': _int(300, 2800),
    'area': _int(40, 120),
    'cm': _int(120, 180),
}

# ------------------------------------------------------------ 教育 education
TEMPLATES['教育'] = (
    '今年{city}共有{big}0名考生报名参加{exam}，比去年增加了{pct}。',
    '{school}{role}{person}介绍，学校今年计划招收新生{n}个班，每班不超过{class_size}人。',
    '教育部门提醒考生，{exam}报名将于{month}月{day}日截止，逾期不再补报。',
    '专家建议，考生在最后冲刺阶段应回归课本，重点梳理{subject}的基础知识。',
    '据统计，今年赴{country}留学的中国学生人数再创新高，攻读{degree}学位的占{pct}。',
    '{school}日前公布了自主招生的初审名单，共有{big}名学生通过了材料审核。',
    '不少家长为孩子报名了周末的{subject}辅导班，每节课的费用在{fee}元左右。',
    '在本次{exam}中，{subject}科目的难度与去年基本持平，作文题目贴近生活。',
    '{country}的大学通常要求申请者提交语言成绩，托福或雅思成绩需达到一定分数。',
    '教育专家{person}认为，减轻学生课业负担的关键在于改变单一的评价方式。',
    '记者从{city}教育局获悉，今年将新建和改扩建中小学{num}所，新增学位{big}个。',
    '该校{degree}毕业生的就业率达到{high_pct}，其中不少人进入了知名企业工作。',
    '考试结束后，考生可以登录省教育考试院网站查询成绩和各批次录取分数线。',
    '为了缓解“择校热”，{city}开始推行就近入学政策，严格控制跨区招生。',
    '学生{person}在全国{subject}竞赛中获得一等奖，并因此获得了{school}的保送资格。',
    '课间，操场上到处是奔跑的孩子，学校要求学生每天的体育锻炼时间不少于一小时。',
    '新学期开学前，{school}组织全体教师参加了为期{n}天的业务培训。',
    '今年研究生招生中，{subject}等专业的报考人数增幅较大，竞争十分激烈。',
    '留学中介提醒，申请{country}院校的学生应提前一年准备材料，以免错过截止日期。',
    '国家助学贷款政策进一步放宽，家庭经济困难的学生每年最多可申请{loan}元。',
    '{school}实行小班化教学，老师能够更好地关注每一个学生的学习情况。',
    '在家长会上，{role}向家长们详细介绍了本学期的教学计划和考试安排。',
    '今年{province}高考的一本录取分数线文科为{line}分，理科为{line}分。',
    '校长表示，学校将开设更多{subject}选修课程，培养学生的创新能力和动手能力。',
    '许多大学毕业生选择报考公务员，热门岗位的报录比超过了{num}比1。',
    '乡村教师的待遇问题受到关注，{city}决定为偏远地区教师每月发放{allowance}元补贴。',
    '据了解，这所中学去年的毕业生中有{high_pct}升入了重点大学。',
    '寒假期间，教育部门要求各校不得组织学生集体补课，违者将严肃处理。',
    '{school}的{person}老师已经从教{years}年，这位老师说最大的心愿是每个孩子都能爱上学习。',
)
SLOTS['教育'] = {
    'school': _words('育才中学 实验小学 第一中学 明德学院 北方理工大学 南江师范大学 '
                     '华中外国语学校 新星培训学校 东湖中学 启明小学'),
    'exam': _words('高考 中考 研究生入学考试 英语四六级考试 公务员考试 '
                   '自主招生考试 会考 小升初考试'),
    'subject': _words('数学 语文 英语 物理 化学 历史 生物 地理 计算机 经济学'),
    'degree': _words('本科 硕士 博士 专科'),
    'country': _words('美国 英国 澳大利亚 加拿大 新加坡 日本 德国 新西兰'),
    'role': _words('班主任 校长 招生办主任 教务处长 特级教师 年级组长'),
    'class_size': _int(30, 45),
    'fee': _int(80, 400),
    'high_pct': _pct(85, 98),
    'loan': ('6000', '8000', '12000'),
    'line': _int(480, 620),
    'allowance': _int(200, 800),
    'years': _int(10, 36),
}

# ----------------------------------------------------------- 科技 technology
TEMPLATES['科技'] = (
    '{company}今天正式发布了新一代{product}，搭载主频{ghz}GHz的双核处理器。',
    '该产品配备{inch}英寸触摸屏，分辨率为{res}，机身厚度仅为{mm}毫米。',
    '据市场研究机构的报告，本季度全球{product}出货量达到{big}万台，同比增长{pct}。',
    '随着{tech}技术的普及，越来越多的用户开始通过手机上网、看视频和收发邮件。',
    '{company}首席执行官{person}在发布会上表示，公司将把更多资源投入到{tech}领域。',
    '工程师们在实验室里花了{n}年时间，才解决了{feature}功耗过高的问题。',
    '{company}与{company}之间的专利纠纷仍在继续，双方都指控对方侵犯了多项专利。',
    '新版{product}在{feature}方面有明显提升，待机时间比上一代延长了约{pct}。',
    '网络安全公司发出警告，一种新型木马病毒正通过下载链接传播，已感染超过{big}台电脑。',
    '截至{month}月底，国内手机网民规模已突破{netizens}亿，{tech}用户增长尤为迅速。',
    '这款软件支持多种文件格式，并能够自动将数据同步到{tech}平台。',
    '业内分析师认为，{company}此次收购{company}，主要看重对方在{tech}方面的技术积累。',
    '这款{product}的售价定为{price}元，将于下月起在{city}等地的电子卖场上市。',
    '研究人员开发出一种新型电极材料，可以让锂电池的充电速度提高{n}倍。',
    '测试结果显示，这款{product}运行大型程序时依然流畅，散热表现也令人满意。',
    '运营商表示，将在年底前建成{big}个{tech}基站，基本实现城区信号全覆盖。',
    '{company}的开发者大会吸引了来自{num}个国家和地区的程序员参加。',
    '该公司的季度财报显示，其互联网广告收入同比增长{pct}，超出了分析师的预期。',
    '一些用户反映，升级到最新版本的{product}系统后，部分应用程序出现了闪退现象。',
    '据悉，{company}正在研发一款可穿戴设备，能够实时监测用户的心率和睡眠质量。',
    '开源社区的开发者在代码中发现了一个严重漏洞，官方在{n}天内发布了补丁。',
    '国内搜索引擎市场格局基本稳定，排名前两位的企业合计占据了{high_pct}的份额。',
    '新一代{feature}采用{nm}纳米制程工艺，性能提升的同时功耗降低了{pct}。',
    '电子商务网站的数据显示，{product}是今年“双十一”期间最畅销的数码产品之一。',
    '{company}宣布其社交应用的注册用户已经超过{big}万，每日活跃用户接近一半。',
    '专家指出，个人信息泄露已成为互联网时代亟待解决的问题，用户应提高防范意识。',
    '微博、即时通讯等应用正在改变人们获取信息和相互交流的方式。',
    '{company}推出的{tech}服务面向中小企业，按照存储空间和流量收费。',
    '这款{product}预装了{os}系统，支持Wi-Fi和蓝牙连接，内置{storage}GB存储空间。',
)
SLOTS['科技'] = {
    'company': _words('星辰科技 蓝海网络 云图软件 智联通信 极光电子 华芯半导体 '
                      '飞鸿互联 新锐数码 天际移动 博远信息'),
    'product': _words('智能手机 平板电脑 笔记本电脑 操作系统 浏览器 无线路由器 '
                      '数码相机 电子书阅读器 上网本 智能电视'),
    'tech': _words('3G 云计算 物联网 移动互联网 4G 云存储 LTE 近场通信 '
                   '语音识别 大数据'),
    'feature': _words('处理器 图形芯片 显示屏 电池 摄像头 基带芯片'),
    'os': ('Android', 'Windows', 'Linux', 'iOS'),
    'ghz': lambda rng: '1.%d' % rng.randint(0, 8),
    'inch': lambda rng: rng.choice(('3.5', '4.0', '4.3', '7', '9.7', '10.1')),
    'res': ('800x480', '960x640', '1024x768', '1280x720', '1280x800'),
    'mm': _dec(7, 12),
    'netizens': _dec(3, 4),
    'high_pct': _pct(70, 90),
    'price': _int(999, 5999),
    'nm': ('28', '32', '40', '45'),
    'storage': ('8', '16', '32', '64'),
}

# ------------------------------------------------------------- 时尚 fashion
TEMPLATES['时尚'] = (
    '在刚刚落幕的{fw}上，{brand}{season}系列以{color}为主色调，展现出{style}气质。',
    '今年秋季，{color}的{garment}成为街头出镜率最高的单品之一。',
    '造型师{person}建议，身材娇小的女生可以选择高腰设计的{garment}，在视觉上拉长腿部线条。',
    '一件剪裁利落的{garment}搭配简单的白衬衫，就能轻松打造干练的通勤造型。',
    '换季时节皮肤容易干燥，护肤的第一步是做好补水和保湿。',
    '{brand}最新推出的{beauty}质地轻薄，上脸后没有厚重感，售价为{price}元。',
    '设计师将传统刺绣与现代剪裁相结合，让整个系列既有东方韵味又不失时髦感。',
    '{style}风格今年再度回潮，宽肩、喇叭裤和大圆点图案纷纷回到了秀场。',
    '选择{beauty}时要注意自己的肤质，油性皮肤适合清爽型产品，干性皮肤则应选择滋润型。',
    '这款{garment}采用了柔软的羊绒面料，触感细腻，保暖效果也很好。',
    '配饰往往是造型的点睛之笔，一条{color}丝巾就能让简单的装扮瞬间生动起来。',
    '{brand}创意总监在接受采访时表示，本季灵感来源于上世纪七十年代的旅行与自由精神。',
    '夏季防晒不可忽视，即使是阴天，紫外线对皮肤的伤害依然存在。',
    '{color}与{color}的撞色搭配大胆而不失和谐，是今年最值得尝试的配色方案之一。',
    '据时尚杂志的调查，超过{pct}的受访女性每个季度至少会购买一双新鞋。',
    '模特{model}身穿一袭{color}{garment}压轴登场，赢得了台下观众的热烈掌声。',
    '男士着装同样讲究细节，一条合适的腰带和一双干净的皮鞋能大大提升整体形象。',
    '化妆师分享了打造自然裸妆的技巧：先用{beauty}打底，再以少量腮红提亮气色。',
    '{brand}宣布将在{city}开设中国首家旗舰店，店铺面积约{area}平方米。',
    '平价快时尚品牌凭借快速更新的款式和亲民的价格，吸引了大批年轻消费者。',
    '发型也在不断变化，今年流行带有自然卷度的中长发，显得慵懒而随性。',
    '这一季的{garment}在细节处理上颇具匠心，金属纽扣和不对称下摆让人眼前一亮。',
    '香水的选择因人而异，清新的花果香调更适合白天的办公室环境。',
    '奢侈品消费在国内持续升温，{brand}今年在华销售额同比增长了{pct}。',
    '对于职场女性来说，一只容量适中的{color}手提包既实用又百搭。',
    '时尚博主{person}在微博上晒出了自己的{style}穿搭，获得了{big}次转发。',
    '冬季穿搭的关键在于层次感，内搭轻薄针织衫，外披一件{color}大衣，保暖又有型。',
    '美甲也成了时尚的一部分，{color}系的指甲油在本季格外受欢迎。',
    '{fw}期间，街拍摄影师镜头下的{garment}和{accessory}成为各大时尚网站的热门话题。',
)
SLOTS['时尚'] = {
    'brand': _words('露西亚 菲奥娜 蒙塔纳 莉莉安 雅黛 伊诗兰 卡洛琳 薇拉之家 '
                    '白鹭 轻语'),
    'garment': _words('连衣裙 风衣 针织衫 阔腿裤 西装外套 半身裙 牛仔裤 '
                      '毛呢大衣 皮夹克 雪纺衫 羽绒服 背心裙'),
    'accessory': _words('高跟鞋 短靴 墨镜 围巾 腕表 耳环 贝雷帽 链条包'),
    'color': _words('裸色 酒红色 藏蓝色 驼色 薄荷绿 珊瑚红 黑白 焦糖色 '
                    '香槟金 雾霾蓝'),
    'style': _words('复古 简约 波西米亚 中性 街头 优雅 甜美 学院'),
    'season': _words('春夏 秋冬 早春 度假'),
    'beauty': _words('粉底液 口红 眼影 面膜 防晒霜 精华液 隔离霜 BB霜'),
    'fw': _words('巴黎时装周 米兰时装周 纽约时装周 伦敦时装周 上海时装周'),
    'model': _words('安娜 苏菲 林珊珊 叶子 米娅 刘婷'),
    'price': _int(120, 980),
    'area': _int(300, 1200),
}

# ------------------------------------------------------ 时政 current affairs
TEMPLATES['时政'] = (
    '{org}新闻发言人{person}在今天的例行记者会上回答了有关{topic}的提问。',
    '全国人大常委会第{num}次会议今天上午在北京闭幕，会议表决通过了{law}。',
    '国务院常务会议研究部署了{topic}工作，要求各地区各部门切实落实责任。',
    '{country}总统将于{month}月下旬对我国进行国事访问，这是他就任后首次访华。',
    '双方在会谈中就双边关系以及共同关心的国际和地区问题深入交换了意见。',
    '据{org}通报，今年以来全国共查处{topic}领域的违纪违法案件{big}起。',
    '{city}市委、市政府召开专题会议，研究解决群众反映强烈的{topic}问题。',
    '外交部发言人表示，中方一贯主张通过对话协商和平解决有关争端。',
    '受持续强降雨影响，{province}多地发生洪涝灾害，已造成{big}00人受灾。',
    '国家发改委宣布，自{month}月{day}日起，全国汽油和柴油价格每吨分别上调{fuel}元。',
    '会议强调，要把保障和改善民生作为各项工作的出发点和落脚点。',
    '公安部门经过{n}个月的侦查，成功破获一起特大跨省诈骗案，抓获犯罪嫌疑人{num}名。',
    '{province}省长{person}在政府工作报告中提出，今年全省生产总值预期增长{gdp}。',
    '中央巡视组进驻{province}后，共受理群众来信来访{big}件。',
    '民政部有关负责人介绍，城乡居民最低生活保障标准将在今年继续提高。',
    '{law}草案公开征求意见期间，共收到社会各界意见和建议{big}条。',
    '两国领导人共同出席了合作文件的签字仪式，内容涉及经贸、能源、人文等多个领域。',
    '事故发生后，当地政府立即启动应急预案，并成立了由多部门组成的事故调查组。',
    '法院一审以受贿罪判处{province}某局原局长{person}有期徒刑{term}年。',
    '联合国安理会当天就{region}局势举行紧急会议，呼吁各方保持克制。',
    '国务院领导在会见{country}外长时指出，两国应加强战略互信，深化务实合作。',
    '新修订的{law}将于{year}年{month}月1日起正式施行。',
    '{province}已组织{num}支救援队伍赶赴灾区，全力搜救被困群众。',
    '各级领导干部要坚持深入基层、联系群众，认真倾听群众的意见和呼声。',
    '针对近期发生的{topic}事件，{org}已派出工作组赴当地进行督查。',
    '全国政协委员{person}提交提案，建议进一步完善{topic}相关制度。',
    '人口普查数据显示，我国城镇人口占总人口的比重已上升至{urban}。',
    '{org}出台意见，要求在{year}年底前基本建立覆盖城乡的{topic}体系。',
    '{country}外交部长今天抵达北京，开始对我国为期{n}天的正式访问。',
)
SLOTS['时政'] = {
    'org': _words('国务院新闻办 外交部 公安部 民政部 环境保护部 国家发改委 '
                  '中央纪委 国家安监总局 卫生部 审计署'),
    'country': _words('美国 日本 俄罗斯 韩国 法国 德国 巴西 印度 南非 越南 '
                      '巴基斯坦 澳大利亚'),
    'topic': _words('食品安全 安全生产 环境保护 医疗改革 反腐倡廉 社会保障 '
                    '节能减排 扶贫开发 征地拆迁 公共卫生'),
    'law': _words('行政强制法 个人所得税法修正案 社会保险法 食品安全法 '
                  '道路交通安全法 刑法修正案 国家赔偿法 人民调解法'),
    'region': _words('中东 朝鲜半岛 利比亚 苏丹 阿富汗'),
    'fuel': ('200', '230', '300', '350', '400'),
    'gdp': lambda rng: '%d%%' % rng.randint(8, 12),
    'term': _int(5, 15),
    'urban': lambda rng: '4%d.%d%%' % (rng.randint(5, 9), rng.randint(0, 9)),
}

# ---------------------------------------------------------------- 游戏 games
TEMPLATES['游戏'] = (
    '{studio}研发的{genre}{game}今日正式开启公测，首日同时在线人数突破{big}0人。',
    '玩家在游戏中可以选择{job}、{job}等多种职业，每个职业都有独特的技能树。',
    '本次更新新增了{n}个高难度{element}，并对部分{job}的技能数值进行了平衡调整。',
    '据官方介绍，{game}采用了全新的3D引擎，画面表现力比前作有了大幅提升。',
    '在{city}举行的游戏展上，{studio}展示了{game}的最新试玩版本，展台前排起了长队。',
    '{game}的{platform}版将于{month}月{day}日发售，售价为{price}元。',
    '不少玩家在论坛上反映，游戏服务器在高峰时段经常出现延迟和掉线的情况。',
    '电子竞技比赛的奖金越来越高，本届联赛冠军队伍将获得{num}万元奖金。',
    '游戏中加入了丰富的{element}系统，玩家可以通过完成任务获得稀有道具。',
    '据行业报告统计，国内{genre}市场规模今年有望达到{num}亿元，用户数超过{big}万。',
    '开发团队表示，他们参考了大量历史资料，力求还原{era}时期的建筑和服饰风格。',
    '文化主管部门要求网络游戏企业落实防沉迷系统，限制未成年人的游戏时间。',
    '{game}的剧情围绕一位失去记忆的{job}展开，玩家需要在冒险中逐步揭开身世之谜。',
    '{team}在职业联赛决赛中以{score}战胜对手{team}，夺得了本赛季的总冠军。',
    '新资料片推出后，{game}的等级上限提高到{level}级，并开放了全新的{element}玩法。',
    '游戏操作十分简单，只需点击和滑动屏幕就能完成各种动作，适合利用碎片时间游玩。',
    '{studio}宣布完成新一轮融资，资金将用于新游戏的研发和海外市场的拓展。',
    '玩家“{nick}”在排行榜上连续{n}周位居第一，成为服务器中最受关注的人物。',
    '测评编辑认为，{game}在关卡设计上颇具创意，但后期的内容略显重复。',
    '本周游戏销量排行榜上，{platform}平台的一款动作游戏登上了榜首。',
    '为了庆祝开服{n}周年，游戏将在{month}月推出一系列限时活动，登录即可领取礼包。',
    '很多玩家组建了自己的公会，每天晚上相约一起挑战{element}。',
    '游戏中的经济系统设计合理，金币和装备的产出与消耗保持了较好的平衡。',
    '网游运营商表示，今后将严厉打击外挂和私服，维护公平的游戏环境。',
    '{platform}上的这款{genre}凭借独特的美术风格，获得了多项年度游戏大奖的提名。',
    '内测期间，开发组收集了{big}条玩家反馈，并据此修复了大量程序错误。',
    '该作支持最多{players}名玩家在线联机对战，团队配合是取胜的关键。',
    '游戏的背景音乐由知名作曲家担纲创作，与画面风格相得益彰。',
    '{game}的官方网站今天开放了预约，预约玩家在公测时可以获得专属{element}奖励。',
)
SLOTS['游戏'] = {
    'game': _words('《星海征途》 《龙之纪元》 《天剑传奇》 《幻想战记》 《梦回三国》 '
                   '《暗影猎手》 《极速狂飙》 《魔域英雄》 《神兵传说》 《仙侠奇缘》'),
    'genre': _words('网络游戏 网页游戏 单机游戏 手机游戏 角色扮演游戏 射击游戏 '
                    '即时战略游戏 休闲游戏'),
    'platform': ('PC', 'PS3', 'Xbox360', 'Wii', 'iPhone', 'PSP', 'NDS'),
    'studio': _words('天火工作室 云游网络 蓝鲸娱乐 北斗游戏 幻月互动 极星工作室'),
    'element': _words('副本 坐骑 装备 公会战 宠物 跨服战场 竞技场 生活技能'),
    'job': _words('战士 法师 刺客 牧师 弓箭手 骑士 召唤师'),
    'era': _words('三国 春秋战国 盛唐 两宋 中世纪'),
    'team': _words('烈焰战队 苍穹战队 雷霆战队 星火战队 龙魂战队'),
    'nick': ('风之子', '夜行者', '无名剑客', 'Shadow', 'KingZ', '小鱼儿', 'Ace99'),
    'score': ('2比0', '2比1', '3比1', '3比2'),
    'price': _int(49, 399),
    'level': _int(60, 120),
    'players': ('4', '8', '16', '32', '64'),
}

# -------------------------------------------------------- 娱乐 entertainment
TEMPLATES['娱乐'] = (
    '由{director}执导的{genre}{film}昨晚在{city}举行首映礼，主演{star}、{star}悉数到场。',
    '影片上映首周票房就突破了{num}00万元，成为近期最受关注的国产电影。',
    '{star}在接受记者采访时透露，为了演好这个角色，自己提前{n}个月开始学习武术。',
    '歌手{star}的全新专辑将于{month}月{day}日发行，收录了{songs}首原创歌曲。',
    '对于网上流传的恋情传闻，{star}的经纪人回应称“两人只是好朋友”。',
    '这部{episodes}集的{genre}在{tv}首播后收视率一路走高，最高时达到{rating}。',
    '剧组在{place}拍摄期间遭遇连日暴雨，部分外景戏份不得不推迟。',
    '第{num}届{award}提名名单今日揭晓，{film}以{n}项提名领跑。',
    '演唱会当晚，{star}一口气演唱了{songs}首歌曲，现场{big}0名歌迷全场大合唱。',
    '影评人认为，{film}的故事节奏紧凑，演员们的表演也相当到位，但结尾略显仓促。',
    '{star}身穿一袭白色长裙亮相红毯，引来现场媒体的阵阵闪光灯。',
    '综艺节目《{variety}》第二季即将开播，节目组邀请了{star}担任常驻嘉宾。',
    '有消息称，{star}与{star}将在新片中首度合作，饰演一对欢喜冤家。',
    '导演{director}表示，这部电影讲述的是普通人在大时代中的悲欢离合。',
    '在颁奖典礼上，{star}凭借在{film}中的出色表演获得最佳女主角奖，激动得热泪盈眶。',
    '据片方介绍，影片的特效制作耗时{n}年，投资超过{n}亿元。',
    '{star}的粉丝自发组织了应援活动，在{city}的影院包场为偶像庆祝生日。',
    '该剧改编自一部人气网络小说，开拍之前就积累了大量书迷。',
    '发布会上，{star}首次公开谈及自己的婚姻生活，表示家人永远是最重要的。',
    '音乐排行榜本周的冠军由{star}的新歌《{song}》夺得，这首歌已连续{n}周上榜。',
    '新片定档{month}月{day}日，预告片发布后在网上获得了超过{big}万次播放。',
    '这位新人演员在选秀节目中脱颖而出，如今已成为多个品牌的代言人。',
    '片场花絮中，{star}和{star}在拍摄间隙互相开玩笑，气氛十分轻松。',
    '电影节期间，来自{num}个国家和地区的{big}部影片参加了展映。',
    '话剧《{play}》在{city}大剧院连演{num}场，场场爆满。',
    '经纪公司发表声明，称将对散布不实消息的网友追究法律责任。',
    '{director}透露，{film}续集的剧本已经完成，预计明年下半年开机。',
    '这部喜剧片的笑点十分密集，不少观众表示“从头笑到尾”。',
    '{tv}宣布，古装大戏{film}将于暑期档播出，{star}在剧中一人分饰两角。',
)
SLOTS['娱乐'] = {
    'star': _words('林心悦 陈浩宇 周雨桐 王子轩 刘思彤 张嘉宁 赵一鸣 孙若晴 '
                   '黄梓萱 杨天乐 许诺 唐可欣'),
    'director': _words('高鹏 宋知远 冯安 柯文杰 李默 程楠'),
    'film': _words('《夏日追风》 《迷城》 《云端之上》 《归途》 《青春纪事》 '
                   '《长夜将尽》 《谜案追踪》 《风起时》 《锦衣少年》 《半城烟雨》'),
    'genre': _words('爱情片 动作片 喜剧片 悬疑片 古装剧 偶像剧 警匪片 都市情感剧'),
    'tv': _words('星光卫视 东方影视频道 江南卫视 华夏电视台'),
    'award': _words('金鸡奖 百花奖 金马奖 金像奖 华语音乐榜'),
    'place': _words('横店 大理 新疆戈壁 哈尔滨 海南 香港'),
    'variety': _words('欢乐星期六 明星大挑战 一路同行 声动全城'),
    'song': _words('星河 下一站 晚风 不说再见 旧时光'),
    'play': _words('雷雨夜 围城之外 老街'),
    'songs': _int(8, 24),
    'episodes': _int(24, 48),
    'rating': lambda rng: '%d.%02d%%' % (rng.randint(1, 4), rng.randint(0, 99)),
}

_SLOT_RE = re.compile(r'\{([a-z_0-9]+)\}')
_CJK_RE = re.compile('[\u4e00-\u9fff]')


def _slot_source(name, cat):
    if cat is not None and name in SLOTS[cat]:
        return SLOTS[cat][name]
    return SHARED_SLOTS.get(name)


def check_banks():
    """Raises ValueError when a template names a slot no bank defines."""
    for cat in CATEGORIES:
        for template in TEMPLATES[cat]:
            for name in _SLOT_RE.findall(template):
                if _slot_source(name, cat) is None:
                    raise ValueError('%s template uses unknown slot {%s}: %s'
                                     % (cat, name, template))
    for template in NEUTRAL + DATELINES + SIGNOFFS:
        for name in _SLOT_RE.findall(template):
            if name not in SHARED_SLOTS:
                raise ValueError('shared template uses unknown slot {%s}: %s'
                                 % (name, template))


def fill(rng, template, cat):
    """Fills every {slot}; a word slot does not repeat within one sentence."""
    used = {}

    def pick(match):
        name = match.group(1)
        source = _slot_source(name, cat)
        if callable(source):
            return source(rng)
        seen = used.setdefault(name, set())
        fresh = [w for w in source if w not in seen] or list(source)
        word = rng.choice(fresh)
        seen.add(word)
        return word

    return _SLOT_RE.sub(pick, template)


def cjk_count(text):
    return len(_CJK_RE.findall(text))


class Deck(object):
    """Draws a list's items in a shuffled order, none twice."""

    def __init__(self, rng, items):
        self.items = list(items)
        rng.shuffle(self.items)

    def draw(self):
        return self.items.pop() if self.items else None


def _try_article(rng, cat, other):
    """One attempt at an article; None when it misses the length bounds."""
    target = rng.randint(180, 380)
    parts = []
    if rng.chance(0.55):
        parts.append(fill(rng, rng.choice(DATELINES), None))
    decks = {'main': Deck(rng, TEMPLATES[cat]), 'neutral': Deck(rng, NEUTRAL)}
    if other:
        decks['other'] = Deck(rng, TEMPLATES[other])
    counts = {'main': 0, 'other': 0, 'neutral': 0}
    length = sum(len(p) for p in parts)
    last = 'neutral'  # never open with a neutral sentence
    while True:
        if (last != 'neutral' and counts['neutral'] < MAX_NEUTRAL
                and rng.chance(NEUTRAL_RATE)):
            kind = 'neutral'
        elif other and counts['other'] + 1 < counts['main']:
            # Confusable: the other category stays one sentence behind.
            kind = 'other'
        else:
            kind = 'main'
        template = decks[kind].draw()
        if template is None:
            break
        sentence = fill(rng, template, {'main': cat, 'other': other}.get(kind))
        if length + len(sentence) > MAX_CHARS:
            break
        parts.append(sentence)
        length += len(sentence)
        counts[kind] += 1
        last = kind
        if length >= target and cjk_count(''.join(parts)) >= MIN_CJK:
            break
    if rng.chance(0.12):
        signoff = fill(rng, rng.choice(SIGNOFFS), None)
        if length + len(signoff) <= MAX_CHARS:
            parts.append(signoff)
    text = ''.join(parts)
    if cjk_count(text) < MIN_CJK or len(text) > MAX_CHARS:
        return None
    if other and not 0 < counts['other'] < counts['main']:
        return None
    return text


def make_article(rng, cat, other=None):
    """An article of category cat; other names a category to mix in."""
    for _ in range(100):
        text = _try_article(rng, cat, other)
        if text is not None:
            if '\t' in text or '\n' in text or '\r' in text:
                raise ValueError('article has a tab or line break: %r' % text)
            return text
    raise RuntimeError('no article of %s fits the length bounds' % cat)


def make_split(rng, per_category, confusable):
    """The shuffled lines of one file: per_category articles a category."""
    lines = []
    for cat in CATEGORIES:
        for i in range(per_category):
            other = rng.choice(RELATED[cat]) if i < confusable else None
            lines.append('%s\t%s' % (cat, make_article(rng, cat, other)))
    rng.shuffle(lines)
    return lines


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default=here,
                        help='where to write the files (default: %(default)s)')
    args = parser.parse_args(argv)
    check_banks()
    rng = Rng(SEED)
    if not os.path.isdir(args.out_dir):
        os.makedirs(args.out_dir)
    for name, per_category, confusable in SPLITS:
        lines = make_split(rng, per_category, confusable)
        data = ('\n'.join(lines) + '\n').encode('utf-8')
        path = os.path.join(args.out_dir, name)
        with open(path, 'wb') as f:
            f.write(data)
        print('%s: %d lines, %d bytes' % (path, len(lines), len(data)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
