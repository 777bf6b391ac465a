"""Model definitions: stage 1 Inception-v3 (two heads), stage 2 multi-label CNN, stage 3 DeepLab-v3+."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class Recognition(nn.Module):
    """torchvision Inception-v3 trunk (random init) with a 2-class and a 4-class head."""

    def __init__(self):
        super().__init__()
        net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True)
        net.fc = nn.Identity()
        self.trunk = net
        self.head2 = nn.Linear(2048, 2)
        self.head4 = nn.Linear(2048, 4)

    def forward(self, x):
        f = self.trunk(x)
        if isinstance(f, tuple):
            f = f[0]
        return self.head2(f), self.head4(f)


class Manifestations(nn.Module):
    """El-bana et al. stage 2: blocks of 5x5 conv + 2x2 max-pool + dropout 0.25, dense 128/64 (elu, dropout 0.5), sigmoid x3."""

    def __init__(self, chans=(16, 32, 64, 64, 128), in_ch=1, size=256, n_out=3):
        super().__init__()
        layers, c = [], in_ch
        for k in chans:
            layers += [nn.Conv2d(c, k, 5, padding=2), nn.BatchNorm2d(k), nn.ReLU(inplace=True), nn.MaxPool2d(2), nn.Dropout(0.25)]
            c = k
        self.features = nn.Sequential(*layers)
        s = size // 2 ** len(chans)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(c * s * s, 128), nn.ELU(), nn.Dropout(0.5),
                                        nn.Linear(128, 64), nn.ELU(), nn.Dropout(0.5), nn.Linear(64, n_out))

    def forward(self, x):
        return self.classifier(self.features(x))


class Clamp6(nn.Module):
    """ReLU6 as clamp(0, 6): same function, has a bf16 backward in torch 1.13."""

    def forward(self, x):
        return torch.clamp(x, 0.0, 6.0)


def _swap_relu6(m):
    for n, ch in m.named_children():
        if isinstance(ch, nn.ReLU6):
            setattr(m, n, Clamp6())
        else:
            _swap_relu6(ch)


class SepConv(nn.Sequential):
    def __init__(self, cin, cout, dilation=1):
        super().__init__(nn.Conv2d(cin, cin, 3, padding=dilation, dilation=dilation, groups=cin, bias=False),
                         nn.BatchNorm2d(cin), nn.ReLU(inplace=True),
                         nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ASPP(nn.Module):
    def __init__(self, cin, c, rates=(6, 12, 18)):
        super().__init__()
        self.b0 = nn.Sequential(nn.Conv2d(cin, c, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.bs = nn.ModuleList([SepConv(cin, c, r) for r in rates])
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, c, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.project = nn.Sequential(nn.Conv2d(c * (2 + len(rates)), c, 1, bias=False), nn.BatchNorm2d(c),
                                     nn.ReLU(inplace=True), nn.Dropout(0.1))

    def forward(self, x):
        h, w = x.shape[-2:]
        p = self.pool(x).expand(-1, -1, h, w)
        return self.project(torch.cat([self.b0(x)] + [b(x) for b in self.bs] + [p], 1))


class DeepLabV3Plus(nn.Module):
    """DeepLab-v3+ (output stride 16, ASPP 6/12/18 with atrous separable convs, decoder with
    stride-4 low-level features) on a MobileNetV2 backbone (1-channel input, ReLU6 -> clamp)."""

    def __init__(self, n_out=1, c=128):
        super().__init__()
        mb = torchvision.models.mobilenet_v2(weights=None)
        _swap_relu6(mb)
        feats = mb.features[:18]  # drop the final 1x1 -> 1280 conv
        old = feats[0][0]
        feats[0][0] = nn.Conv2d(1, old.out_channels, 3, 2, 1, bias=False)
        # output stride 16: blocks 14.. (stride 32 stage) get stride 1 and dilation 2
        for i in range(14, 18):
            for m in feats[i].modules():
                if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3):
                    m.stride = (1, 1); m.dilation = (2, 2); m.padding = (2, 2)
        self.low = feats[:4]     # stride 4, 24 channels
        self.high = feats[4:]    # stride 16, 320 channels
        self.aspp = ASPP(320, c)
        self.low_proj = nn.Sequential(nn.Conv2d(24, 48, 1, bias=False), nn.BatchNorm2d(48), nn.ReLU(inplace=True))
        self.decoder = nn.Sequential(SepConv(c + 48, c), SepConv(c, c))
        self.cls = nn.Conv2d(c, n_out, 1)

    def forward(self, x):
        H, W = x.shape[-2:]
        low = self.low(x)
        high = self.aspp(self.high(low))
        high = F.interpolate(high, size=low.shape[-2:], mode="bilinear", align_corners=False)
        y = self.cls(self.decoder(torch.cat([high, self.low_proj(low)], 1)))
        return F.interpolate(y, size=(H, W), mode="bilinear", align_corners=False)


class WithActivation(nn.Module):
    """Export wrapper: activations inside the graph (contract section 3)."""

    def __init__(self, net, kind):
        super().__init__()
        self.net, self.kind = net, kind

    def forward(self, x):
        if self.kind == "recognition":
            a, b = self.net(x)
            return torch.softmax(a, 1), torch.softmax(b, 1)
        y = self.net(x)
        if self.kind == "seg-all":
            return torch.softmax(y, 1)
        return torch.sigmoid(y)
